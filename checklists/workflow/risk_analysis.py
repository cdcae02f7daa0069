"""Changes to a project's protection risk analysis: a row saved or removed, a mitigation
turned into an action point. Each locks the project, checks it is not archived, and writes
an audit entry in the project's history."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from projects.models import Project

from ..models import ActionPoint, AuditAction, AuditEntry, RiskAnalysis, RiskRow
from .errors import WorkflowError
from .locks import lock_project

# What a person types for a row, in the order of the form; also what the history records.
RISK_FIELDS = (
    "activity",
    "threat",
    "at_risk",
    "by_age",
    "by_gender",
    "by_disability",
    "by_other_diversity",
    "vulnerability",
    "capacities",
    "likelihood",
    "impact",
    "mitigation",
    "owner",
    "review_date",
)


def risk_analysis_refusal(project: Project) -> str | None:
    """Why the project's risk analysis may not change now, or None."""
    if project.archived:
        return _("This project is archived: its risk analysis can no longer change.")
    return None


def _recorded(field: str, value):
    """A value as the audit entry keeps it: dates as ISO text, people by user name."""
    if isinstance(value, User):
        return value.get_username()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return value.strip()
    return value


def _refuse_if_locked(project: Project) -> Project:
    project = lock_project(project.pk)
    refusal = risk_analysis_refusal(project)
    if refusal:
        raise WorkflowError(refusal)
    return project


@transaction.atomic
def save_risk_row(
    *, project: Project, user: User, values: dict, row: RiskRow | None = None
) -> RiskRow:
    """Add a row to the project's risk analysis (started with its first row), or change one.

    ``values`` holds RISK_FIELDS, validated by the form (the owner a member of the office);
    the database still refuses a likelihood or impact outside 1 to 5.
    """
    project = _refuse_if_locked(project)
    analysis, _created = RiskAnalysis.objects.get_or_create(project=project)
    if row is None:
        last = analysis.rows.aggregate(last=Max("order"))["last"]
        row = RiskRow(analysis=analysis, order=(last or 0) + 1)
        before = {}
    else:
        row = RiskRow.objects.select_for_update().get(pk=row.pk, analysis=analysis)
        before = {name: _recorded(name, getattr(row, name)) for name in RISK_FIELDS}
    for name in RISK_FIELDS:
        value = values[name]
        setattr(row, name, value.strip() if isinstance(value, str) else value)
    row.save()
    analysis.save(update_fields=["updated_at"])
    after = {name: _recorded(name, getattr(row, name)) for name in RISK_FIELDS}
    changes = {
        name: [before.get(name), after[name]]
        for name in RISK_FIELDS
        if before.get(name) != after[name] and (before or after[name] not in ("", None, False))
    }
    if before and not changes:
        return row  # saved as it was: nothing for the history
    AuditEntry.objects.create(
        project=project,
        actor=user,
        action=AuditAction.RISK_CHANGED if before else AuditAction.RISK_ADDED,
        changes=changes,
    )
    return row


@transaction.atomic
def delete_risk_row(*, row: RiskRow, user: User) -> None:
    """Remove a row; an action point made from it stays, as action points always do."""
    project = _refuse_if_locked(row.analysis.project)
    row = RiskRow.objects.select_for_update().get(pk=row.pk)
    AuditEntry.objects.create(
        project=project,
        actor=user,
        action=AuditAction.RISK_REMOVED,
        changes={"activity": [row.activity, None], "threat": [row.threat, None]},
    )
    row.delete()


@transaction.atomic
def risk_row_to_action_point(*, row: RiskRow, user: User) -> ActionPoint:
    """Turn the row's mitigation into an action point of the project, in one step: the
    mitigation says what, the row's owner who, its review date by when.

    The action point is the project's, like a review's condition, not one answer's: an
    answer holds one action point, which follows the answer's gap (withdrawn when the
    answer turns to "yes"), while a mitigation stands as long as the risk does. It appears
    in the project's action points, reminders and reports, and the row links to it.
    """
    project = _refuse_if_locked(row.analysis.project)
    row = RiskRow.objects.select_for_update().get(pk=row.pk)
    if row.action_point_id is not None:
        raise WorkflowError(_("This mitigation is already an action point."))
    if not row.mitigation.strip():
        raise WorkflowError(_("Say what the project will do (the mitigation) first."))
    if row.owner_id is None or row.review_date is None:
        # An action point says what, who and by when; one without them could never be
        # marked done (mark_action_point_done), and nobody would be reminded of it.
        raise WorkflowError(
            _("Give the risk an owner and a review date first: the action point takes them.")
        )
    action_point = ActionPoint.objects.create(
        project=project,
        description=row.mitigation.strip(),
        owner_id=row.owner_id,
        due_date=row.review_date,
    )
    row.action_point = action_point
    row.save(update_fields=["action_point", "updated_at"])
    AuditEntry.objects.create(
        project=project,
        actor=user,
        action=AuditAction.RISK_ACTION_POINT,
        changes={
            "activity": [None, row.activity],
            "action_description": [None, action_point.description],
            "action_owner": [None, _recorded("owner", row.owner)],
            "action_due": [None, row.review_date.isoformat() if row.review_date else None],
        },
    )
    return action_point
