"""Review and endorsement: a focal point's decision, and the project's moves from phase to
phase. A project's phase changes here and nowhere else, each move in the history."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from projects import permissions
from projects.models import Project

from .. import notifications, tallies
from ..models import (
    ActionPoint,
    AuditAction,
    AuditEntry,
    Checklist,
    ChecklistStatus,
    Decision,
    Phase,
    PhaseCode,
    Review,
    ReviewComment,
)
from . import endorsement
from .errors import WorkflowError
from .locks import lock_checklist, lock_project

# Approving a checklist of one phase moves the project to the next phase. Implementation
# moves on to evaluation only when staff say so (after an approved monitoring round).
NEXT_PHASE_ON_APPROVAL = {
    PhaseCode.DESIGN: PhaseCode.ENDORSEMENT,
    PhaseCode.ENDORSEMENT: PhaseCode.IMPLEMENTATION,
}


@dataclass
class Condition:
    """A condition of an approval: it becomes an action point of the project."""

    description: str
    owner: User
    due_date: datetime.date


def decision_refusal(*, checklist: Checklist, reviewer: User) -> str | None:
    """Why ``reviewer`` may not decide on ``checklist`` now, if so (separation of duties:
    never on their own submission, never at two levels of one round)."""
    if not permissions.can_review(reviewer, checklist):
        return _("Only a protection focal point of the project's office can decide.")
    if checklist.status != ChecklistStatus.SUBMITTED:
        last = checklist.reviews.select_related("reviewer").first()
        if last is not None and checklist.status != ChecklistStatus.DRAFT:
            return _(
                "%(who)s already decided on this checklist (%(decision)s). Nothing was changed."
            ) % {
                "who": last.reviewer.get_full_name() or last.reviewer.username,
                "decision": last.get_decision_display().lower(),
            }
        return _("This checklist is not waiting for a review (it is %(status)s).") % {
            "status": checklist.get_status_display().lower()
        }
    if permissions.is_own_submission(reviewer, checklist):
        return _("You submitted this checklist, so another focal point must review it.")
    return _level_refusal(checklist, reviewer)


def _level_refusal(checklist: Checklist, reviewer: User) -> str | None:
    """Whether the reviewer may decide at the level the checklist waits for."""
    if not permissions.deciding_as(reviewer, checklist)[0]:
        office = checklist.waiting_office or checklist.project.office
        return _(
            "This checklist waits for a decision at level %(level)s, by a protection focal "
            "point of %(office)s."
        ) % {"level": checklist.waiting_level, "office": office.name}
    earlier = (
        checklist.reviews.filter(reviewer=reviewer, decided_at__gte=checklist.submitted_at).first()
        if checklist.submitted_at
        else None
    )
    if earlier is not None:
        return _(
            "You decided at level %(level)s of this checklist, so another focal point must "
            "decide at this level."
        ) % {"level": earlier.level}
    return None


def _decision_input_refusal(decision: str, comment: str, conditions: list) -> str | None:
    if decision not in Decision.values:
        return _("Choose a decision.")
    if decision == Decision.RETURNED and not comment.strip():
        return _("Say what needs to change: a comment is required to return it.")
    if decision == Decision.APPROVED_WITH_CONDITIONS and not conditions:
        return _("Add at least one condition, or approve without conditions.")
    return None


@transaction.atomic
def decide_checklist(
    *,
    checklist: Checklist,
    reviewer: User,
    decision: str,
    comment: str = "",
    item_comments: dict[int, str] | None = None,
    conditions: list[Condition] | None = None,
) -> Review:
    """Record a focal point's decision on a submitted checklist.

    Approve, approve with conditions (each becomes an action point), or return for revision
    (a comment is required). Refused when the reviewer is not a focal point of the project's
    office, submitted the checklist themselves, or the checklist is no longer waiting for a
    decision (two focal points deciding at once: the row lock makes one win, the other is told).
    The project is locked first, since an approval may move its phase.
    """
    conditions = conditions or []
    project = lock_project(checklist.project_id)
    checklist = lock_checklist(checklist.pk)
    checklist.project = project
    refusal = decision_refusal(checklist=checklist, reviewer=reviewer) or _decision_input_refusal(
        decision, comment, conditions
    )
    if refusal:
        raise WorkflowError(refusal)
    review = _new_review(checklist, reviewer, decision, comment)
    following = None
    if review.is_approval:
        levels = endorsement.chain_of(checklist, endorsement.round_reviews(checklist))
        following = endorsement.next_level(levels, review.level)
    if following is not None:
        _wait_for(review, following, conditions)
    else:
        _record_decision(review, conditions)
    _record_item_comments(review, item_comments or {})
    _record_conditions(review, conditions)
    next_phase = NEXT_PHASE_ON_APPROVAL.get(checklist.phase.code)
    last_approval = following is None and review.is_approval
    if last_approval and next_phase and project.current_phase_id == checklist.phase_id:
        _move_project(project=project, phase_code=next_phase, user=reviewer)
    notifications.queue_decision(review=review)
    return review


def _new_review(checklist: Checklist, reviewer: User, decision: str, comment: str) -> Review:
    """The decision at the level the checklist waits for, and for whom the reviewer acts."""
    _, acting_for_id = permissions.deciding_as(reviewer, checklist)
    return Review.objects.create(
        checklist=checklist,
        decision=decision,
        comment=comment.strip(),
        reviewer=reviewer,
        level=checklist.waiting_level,
        level_office_id=permissions.waiting_office_id(checklist),
        acting_for_id=acting_for_id,
    )


def _record_conditions(review: Review, conditions: list[Condition]) -> None:
    """Each condition of an approval becomes an action point of the project."""
    ActionPoint.objects.bulk_create(
        ActionPoint(
            project_id=review.checklist.project_id,
            review=review,
            description=condition.description.strip(),
            owner=condition.owner,
            due_date=condition.due_date,
        )
        for condition in conditions
    )


def _acting_name(review: Review) -> str | None:
    """For the history: the name of the focal point the reviewer acted for, if any."""
    person = review.acting_for
    return (person.get_full_name() or person.username) if person else None


def _wait_for(review: Review, level: endorsement.Level, conditions: list[Condition]) -> None:
    """An approval below the last level: the checklist stays submitted and waits for the
    next level, whose deciders are told; the history says so."""
    checklist = review.checklist
    checklist.waiting_level = level.number
    checklist.waiting_office = level.office
    checklist.waiting_rule = level.rule
    checklist.waiting_since = timezone.now()
    checklist.save(update_fields=WAITING_FIELDS)
    AuditEntry.objects.create(
        project=checklist.project,
        checklist=checklist,
        actor=review.reviewer,
        action=AuditAction.LEVEL_ENDORSED,
        changes={
            "level": [review.level, level.number],
            "decision": [None, review.decision],
            "comment": [None, review.comment],
            "conditions": [None, [c.description for c in conditions]],
            "acting_for": [None, _acting_name(review)],
        },
    )
    notifications.queue_submission(checklist=checklist, office_id=level.office.pk)


# A checklist's place in the endorsement chain; a return puts it back at level 1.
WAITING_FIELDS = ["waiting_level", "waiting_office", "waiting_rule", "waiting_since"]


def _record_decision(review: Review, conditions: list[Condition]) -> None:
    """The checklist's new status, and the decision in the history. A return (at any
    level) sends it back to the staff: the next submission starts the chain again."""
    checklist = review.checklist
    previous = checklist.status
    checklist.status = ChecklistStatus.APPROVED if review.is_approval else ChecklistStatus.RETURNED
    if not review.is_approval:
        checklist.waiting_level, checklist.waiting_office = 1, None
        checklist.waiting_rule = checklist.waiting_since = None
    checklist.save(update_fields=["status", *WAITING_FIELDS])
    tallies.reported_status_changed(checklist, previous)
    AuditEntry.objects.create(
        project=checklist.project,
        checklist=checklist,
        actor=review.reviewer,
        action=AuditAction.CHECKLIST_APPROVED
        if review.is_approval
        else AuditAction.CHECKLIST_RETURNED,
        changes={
            "status": [previous, checklist.status],
            "decision": [None, review.decision],
            "comment": [None, review.comment],
            "conditions": [None, [c.description for c in conditions]],
            "level": [None, review.level],
            "acting_for": [None, _acting_name(review)],
        },
    )


def _record_item_comments(review: Review, item_comments: dict[int, str]) -> None:
    """The focal point's comments on single answers, each also in the history."""
    checklist = review.checklist
    answers = {a.pk: a for a in checklist.answers.all()}
    comments = [
        ReviewComment(review=review, answer=answers[answer_id], text=text.strip())
        for answer_id, text in item_comments.items()
        if text.strip() and answer_id in answers
    ]
    ReviewComment.objects.bulk_create(comments)
    AuditEntry.objects.bulk_create(
        AuditEntry(
            project_id=checklist.project_id,
            checklist=checklist,
            answer=comment.answer,
            actor=review.reviewer,
            action=AuditAction.REVIEW_COMMENT,
            changes={"comment": [None, comment.text]},
        )
        for comment in comments
    )


def _move_project(*, project: Project, phase_code: PhaseCode, user: User) -> None:
    """Move a locked project to another phase, with an entry in its history."""
    phase = Phase.get_by_code(phase_code)
    previous = project.current_phase.code
    project.current_phase = phase
    project.save(update_fields=["current_phase", "updated_at"])
    AuditEntry.objects.create(
        project=project,
        actor=user,
        action=AuditAction.PHASE_CHANGED,
        changes={"phase": [previous, phase.code]},
    )


def evaluation_refusal(*, project: Project, checklists: Iterable[Checklist]) -> str | None:
    """Why the project cannot move to evaluation now, given its checklists, if so."""
    if project.current_phase.code != PhaseCode.IMPLEMENTATION:
        return _("Only a project in implementation and monitoring can move to evaluation.")
    if not any(
        c.phase.code == PhaseCode.IMPLEMENTATION and c.status == ChecklistStatus.APPROVED
        for c in checklists
    ):
        return _("A monitoring round must be approved before the project moves to evaluation.")
    return None


@transaction.atomic
def move_to_evaluation(*, project: Project, user: User) -> Project:
    """Staff move a project to evaluation once a monitoring round has been approved."""
    project = lock_project(project.pk)
    refusal = evaluation_refusal(
        project=project, checklists=project.checklists.select_related("phase")
    )
    if refusal:
        raise WorkflowError(refusal)
    _move_project(project=project, phase_code=PhaseCode.EVALUATION, user=user)
    return project
