"""Views of the checklists app, one module per resource."""
