"""The audit trail as people read it: labels and values in the reader's language."""

import datetime

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .models import AuditAction, ChecklistStatus, Decision, Phase, Response

FIELD_LABELS = {
    "response": _("Response"),
    "comment": _("Comment"),
    "not_applicable_reason": _("Reason it does not apply"),
    "action_description": _("Action point"),
    "action_owner": _("Owner"),
    "action_due": _("Due date"),
    "status": _("Status"),
    "decision": _("Decision"),
    "conditions": _("Conditions"),
    "phase": _("Phase"),
    "round": _("Round"),
    "done_on": _("Done on"),
    "done_note": _("Note"),
    "file": _("File"),
    # A row of the protection risk analysis (checklists/workflow/risk_analysis.py).
    "activity": _("Activity"),
    "threat": _("Threat"),
    "at_risk": _("Who is at risk"),
    "by_age": _("Age"),
    "by_gender": _("Gender"),
    "by_disability": _("Disability"),
    "by_other_diversity": _("Other diversity"),
    "vulnerability": _("Vulnerability"),
    "capacities": _("Existing capacities"),
    "likelihood": _("Likelihood"),
    "impact": _("Impact"),
    "mitigation": _("Mitigation"),
    "owner": _("Owner"),
    "review_date": _("Review date"),
    "level": _("Level"),
    "acting_for": _("Acting for"),
}


def _display(field: str, value, phases: dict[str, str]) -> str:
    if value is None or value in ("", []):
        return "—"
    if field == "response":
        return str(Response(value).label)
    if field == "status":
        return str(ChecklistStatus(value).label)
    if field == "decision":
        return str(Decision(value).label)
    if field == "phase":
        return phases.get(value, value)
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if field in ("action_due", "done_on", "review_date"):
        try:
            return date_format(datetime.date.fromisoformat(value))
        except (TypeError, ValueError):
            return str(value)
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def describe(entries) -> list[dict]:
    """Rows for the history page: who, when, what, where, and each change old -> new."""
    phases = {p.code: p.name for p in Phase.objects.all()}
    rows = []
    for entry in entries:
        changes = []
        for field, (old, new) in entry.changes.items():
            if entry.action != AuditAction.ANSWER_CHANGED and old is None:
                # Events record what was decided rather than a change of value.
                changes.append(
                    {
                        "label": FIELD_LABELS.get(field, field),
                        "old": None,
                        "new": _display(field, new, phases),
                    }
                )
            else:
                changes.append(
                    {
                        "label": FIELD_LABELS.get(field, field),
                        "old": _display(field, old, phases),
                        "new": _display(field, new, phases),
                    }
                )
        rows.append({"entry": entry, "changes": changes})
    return rows
