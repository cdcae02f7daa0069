"""The checklists app's models, one module per concern; import them from here."""

from .access_log import AccessKind, AccessLogEntry
from .checklist import (
    EDITABLE_STATUSES,
    GAP_RESPONSES,
    ActionPoint,
    Answer,
    Checklist,
    ChecklistStatus,
    CriticalGap,
    PrincipleTally,
    Response,
)
from .evidence import EVIDENCE_TYPES, MAX_FILES_PER_ANSWER, Evidence, evidence_problem
from .framework import (
    Framework,
    FrameworkAuditAction,
    FrameworkAuditEntry,
    FrameworkStatus,
    GoodPractice,
    Item,
    Phase,
    PhaseCode,
    Principle,
    Topic,
)
from .mail import MailKind, OutgoingMail
from .report_file import ReportFile, ReportKind, ReportStatus
from .retention import DeletedKind, DeletionReceipt, LegalHold
from .review import AuditAction, AuditEntry, Decision, Reminder, Review, ReviewComment

__all__ = [
    "AccessKind",
    "AccessLogEntry",
    "EDITABLE_STATUSES",
    "GAP_RESPONSES",
    "ActionPoint",
    "Answer",
    "AuditAction",
    "AuditEntry",
    "Checklist",
    "ChecklistStatus",
    "CriticalGap",
    "Decision",
    "DeletedKind",
    "DeletionReceipt",
    "EVIDENCE_TYPES",
    "MAX_FILES_PER_ANSWER",
    "Evidence",
    "evidence_problem",
    "Framework",
    "FrameworkAuditAction",
    "FrameworkAuditEntry",
    "FrameworkStatus",
    "GoodPractice",
    "Item",
    "LegalHold",
    "MailKind",
    "OutgoingMail",
    "Phase",
    "PhaseCode",
    "Principle",
    "PrincipleTally",
    "ReportFile",
    "ReportKind",
    "ReportStatus",
    "Reminder",
    "Response",
    "Review",
    "ReviewComment",
    "Topic",
]
