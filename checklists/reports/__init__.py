"""Progress reports: gathering (pure, testable) apart from rendering (PDF, spreadsheets)."""
