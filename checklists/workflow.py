"""State transitions and multi-model changes. Each is one function, atomic, audited.

Views never change a status field themselves: they call these functions, which lock the
rows two people could change at once, check the rule, write the change and an audit entry.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from projects import permissions
from projects.models import Project

from . import scoring
from .models import (
    EDITABLE_STATUSES,
    GAP_RESPONSES,
    ActionPoint,
    Answer,
    AuditAction,
    AuditEntry,
    Checklist,
    ChecklistStatus,
    Decision,
    Framework,
    FrameworkStatus,
    Item,
    Phase,
    Response,
    Review,
    ReviewComment,
)
from .notifications import notify_decision, notify_submission

# ---------------------------------------------------------------------------------------
# Frameworks


@transaction.atomic
def publish_framework(*, framework: Framework) -> Framework:
    """Publish a draft framework; the version it replaces (same code) is retired.

    From then on the framework and its items are immutable, so that every checklist
    filled against it keeps meaning what it meant.
    """
    framework = Framework.objects.select_for_update().get(pk=framework.pk)
    if framework.status != FrameworkStatus.DRAFT:
        raise ValidationError(_("Only a draft framework can be published."))
    if not framework.items.exists():
        raise ValidationError(_("A framework with no items cannot be published."))
    Framework.objects.filter(code=framework.code, status=FrameworkStatus.PUBLISHED).update(
        status=FrameworkStatus.RETIRED
    )
    framework.status = FrameworkStatus.PUBLISHED
    framework.published_at = timezone.now()
    framework.save(update_fields=["status", "published_at"])
    return framework


@transaction.atomic
def start_new_framework_version(*, framework: Framework) -> Framework:
    """Copy a framework and its items into a new draft version, the way to change items."""
    latest = Framework.objects.filter(code=framework.code).aggregate(v=Max("version"))["v"]
    draft = Framework.objects.get(pk=framework.pk)
    draft.pk = None
    draft.version = latest + 1
    draft.status = FrameworkStatus.DRAFT
    draft.published_at = None
    draft.save()
    items = list(framework.items.prefetch_related("sectors", "topics"))
    for item in items:
        sectors, topics = list(item.sectors.all()), list(item.topics.all())
        item.pk = None
        item._prefetched_objects_cache = {}  # else set() would compare with the old item's
        item.framework = draft
        item.save()
        item.sectors.set(sectors)
        item.topics.set(topics)
    return draft


def current_framework() -> Framework | None:
    """The published framework new checklists are started against."""
    return Framework.objects.published().order_by("-published_at").first()


# ---------------------------------------------------------------------------------------
# Checklists


class WorkflowError(Exception):
    """A transition the rules refuse; the message is shown to the user as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def start_refusal(*, phase, existing: list[Checklist]) -> str | None:
    """Why a checklist cannot be started for ``phase`` given its ``existing`` ones, if so."""
    if existing and phase.code != "implementation":
        return _("This project already has a checklist for this phase.")
    if existing and existing[-1].status != ChecklistStatus.APPROVED:
        return _(
            "Monitoring round %(round)s is not approved yet. Finish it before starting another."
        ) % {"round": existing[-1].round}
    return None


@transaction.atomic
def start_checklist(*, project: Project, user: User) -> Checklist:
    """Start the checklist of the project's current phase, with the items for its sectors.

    The implementation phase has numbered monitoring rounds: each start is a new round,
    once the previous round has been approved. Other phases have one checklist.
    """
    project = Project.objects.select_for_update().get(pk=project.pk)
    phase = project.current_phase
    framework = current_framework()
    if framework is None:
        raise WorkflowError(_("No checklist framework is published yet. Ask an administrator."))
    existing = list(Checklist.objects.filter(project=project, phase=phase).order_by("round"))
    refusal = start_refusal(phase=phase, existing=existing)
    if refusal:
        raise WorkflowError(refusal)
    items = (
        Item.objects.filter(framework=framework, phase=phase)
        .filter(Q(sectors__isnull=True) | Q(sectors__in=project.sectors.all()))
        .distinct()
    )
    checklist = Checklist.objects.create(
        project=project,
        phase=phase,
        framework=framework,
        round=len(existing) + 1,
        started_by=user,
    )
    Answer.objects.bulk_create(Answer(checklist=checklist, item=item) for item in items)
    scoring.refresh_tallies([checklist.pk])
    AuditEntry.objects.create(
        project=project,
        checklist=checklist,
        actor=user,
        action=AuditAction.CHECKLIST_STARTED,
        changes={"round": [None, checklist.round]},
    )
    return checklist


class StaleAnswer(Exception):
    """The answer changed since the user loaded it; carries the current answer."""

    def __init__(self, answer: Answer):
        super().__init__("stale answer")
        self.answer = answer


@dataclass
class AnswerInput:
    """What a user typed for one answer (already validated by the form)."""

    response: str = ""
    comment: str = ""
    not_applicable_reason: str = ""
    action_description: str = ""
    action_owner: User | None = None
    action_due: datetime.date | None = None


def answer_snapshot(answer: Answer, action: ActionPoint | None) -> dict[str, str]:
    """The values of an answer as text, as the audit trail and conflict messages show them."""
    current = action is not None and action.withdrawn_on is None
    return {
        "response": answer.response,
        "comment": answer.comment,
        "not_applicable_reason": answer.not_applicable_reason,
        "action_description": action.description if current else "",
        "action_owner": action.owner.get_username() if current and action.owner else "",
        "action_due": action.due_date.isoformat() if current and action.due_date else "",
    }


def input_snapshot(values: AnswerInput) -> dict[str, str]:
    """What an answer would look like after saving ``values``, in answer_snapshot's terms."""
    gap = values.response in GAP_RESPONSES
    return {
        "response": values.response,
        "comment": values.comment,
        "not_applicable_reason": values.not_applicable_reason,
        "action_description": values.action_description if gap else "",
        "action_owner": values.action_owner.get_username() if gap and values.action_owner else "",
        "action_due": values.action_due.isoformat() if gap and values.action_due else "",
    }


@transaction.atomic
def save_answer(
    *, checklist: Checklist, answer_id: int, user: User, values: AnswerInput, based_on_version: int
) -> tuple[Answer, bool]:
    """Save one answer and its action point, if the user saw the latest version.

    Returns the answer and whether anything changed. Raises WorkflowError when the checklist
    can no longer be edited, StaleAnswer when someone else saved this answer in between.
    """
    checklist = Checklist.objects.select_for_update().get(pk=checklist.pk)
    if checklist.status not in EDITABLE_STATUSES:
        raise WorkflowError(
            _("This checklist is %(status)s and can no longer be changed.")
            % {"status": checklist.get_status_display().lower()}
        )
    answer = (
        Answer.objects.select_for_update(of=("self",))
        .select_related("item", "action_point__owner")
        .get(pk=answer_id, checklist=checklist)
    )
    if answer.version != based_on_version:
        raise StaleAnswer(answer)
    action = getattr(answer, "action_point", None)
    before = answer_snapshot(answer, action)
    answer.response = values.response
    answer.comment = values.comment
    answer.not_applicable_reason = values.not_applicable_reason
    today = timezone.localdate()
    if values.response in GAP_RESPONSES:
        if action is None:
            action = ActionPoint(project_id=checklist.project_id, answer=answer)
        action.description = values.action_description
        action.owner = values.action_owner
        action.due_date = values.action_due
        action.withdrawn_on = None
    elif action is not None and action.withdrawn_on is None:
        action.withdrawn_on = today
    after = answer_snapshot(answer, action)
    changes = {name: [before[name], after[name]] for name in after if before[name] != after[name]}
    if not changes:
        return answer, False
    if action is not None:
        action.save()
    answer.version += 1
    answer.updated_by = user
    answer.updated_at = timezone.now()
    answer.save()
    scoring.refresh_tallies([checklist.pk])
    AuditEntry.objects.create(
        project_id=checklist.project_id,
        checklist=checklist,
        answer=answer,
        actor=user,
        action=AuditAction.ANSWER_CHANGED,
        changes=changes,
    )
    return answer, True


@dataclass
class Blocker:
    """Why one answer stops a checklist from being submitted."""

    answer: Answer
    message: str


def submission_blockers(answers) -> list[Blocker]:
    """Every answer that is not ready, with what is missing, in page order."""
    blockers = []
    for answer in answers:
        action = getattr(answer, "action_point", None)
        if not answer.response:
            blockers.append(Blocker(answer, _("Not answered yet.")))
        elif (
            answer.response == Response.NOT_APPLICABLE and not answer.not_applicable_reason.strip()
        ):
            blockers.append(Blocker(answer, _("Say why this item does not apply.")))
        elif answer.response in GAP_RESPONSES and (action is None or not action.is_complete):
            blockers.append(
                Blocker(
                    answer, _("Complete the action point: what will be done, owner and due date.")
                )
            )
    return blockers


class SubmissionBlocked(WorkflowError):
    def __init__(self, blockers: list[Blocker]):
        super().__init__(
            _("The checklist was not submitted: %(count)s items need your attention.")
            % {"count": len(blockers)}
        )
        self.blockers = blockers


@transaction.atomic
def submit_checklist(*, checklist: Checklist, user: User) -> Checklist:
    """Submit a draft or returned checklist for review, once every applicable item is ready."""
    checklist = Checklist.objects.select_for_update().get(pk=checklist.pk)
    if checklist.status not in EDITABLE_STATUSES:
        raise WorkflowError(
            _("This checklist is %(status)s: it cannot be submitted again.")
            % {"status": checklist.get_status_display().lower()}
        )
    answers = checklist.answers.select_related("item", "action_point")
    blockers = submission_blockers(answers)
    if blockers:
        raise SubmissionBlocked(blockers)
    previous = checklist.status
    checklist.status = ChecklistStatus.SUBMITTED
    checklist.submitted_by = user
    checklist.submitted_at = timezone.now()
    checklist.save(update_fields=["status", "submitted_by", "submitted_at"])
    AuditEntry.objects.create(
        project_id=checklist.project_id,
        checklist=checklist,
        actor=user,
        action=AuditAction.CHECKLIST_SUBMITTED,
        changes={"status": [previous, checklist.status]},
    )
    transaction.on_commit(lambda: notify_submission(checklist_id=checklist.pk))
    return checklist


@transaction.atomic
def mark_action_point_done(
    *, action_point: ActionPoint, user: User, done_on: datetime.date, note: str
) -> ActionPoint:
    action_point = ActionPoint.objects.select_for_update().get(pk=action_point.pk)
    if action_point.withdrawn_on is not None:
        raise WorkflowError(_("This action point was withdrawn: its answer is no longer a gap."))
    before = {
        "done_on": action_point.done_on.isoformat() if action_point.done_on else "",
        "done_note": action_point.done_note,
    }
    action_point.done_on = done_on
    action_point.done_note = note
    action_point.save(update_fields=["done_on", "done_note"])
    if action_point.answer_id:
        # A closed critical gap changes its principle's rating.
        scoring.refresh_tallies([action_point.answer.checklist_id])
    AuditEntry.objects.create(
        project_id=action_point.project_id,
        checklist_id=action_point.answer.checklist_id if action_point.answer_id else None,
        answer_id=action_point.answer_id,
        actor=user,
        action=AuditAction.ACTION_POINT_DONE,
        changes={
            "done_on": [before["done_on"], done_on.isoformat()],
            "done_note": [before["done_note"], note],
        },
    )
    return action_point


# ---------------------------------------------------------------------------------------
# Review and endorsement


@dataclass
class Condition:
    """A condition of an approval: it becomes an action point of the project."""

    description: str
    owner: User
    due_date: datetime.date


# Approving a checklist of one phase moves the project to the next phase. Implementation
# moves on to evaluation only when staff say so (after an approved monitoring round).
NEXT_PHASE_ON_APPROVAL = {"design": "endorsement", "endorsement": "implementation"}


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
    """
    checklist = (
        Checklist.objects.select_for_update(of=("self",))
        .select_related("project", "phase", "submitted_by")
        .get(pk=checklist.pk)
    )
    if not permissions.has_role(
        reviewer, checklist.project.office_id, permissions.Role.FOCAL_POINT
    ):
        raise WorkflowError(_("Only a protection focal point of the project's office can decide."))
    if checklist.status != ChecklistStatus.SUBMITTED:
        last = checklist.reviews.select_related("reviewer").first()
        if last is not None and checklist.status != ChecklistStatus.DRAFT:
            raise WorkflowError(
                _("%(who)s already decided on this checklist (%(decision)s). Nothing was changed.")
                % {
                    "who": last.reviewer.get_full_name() or last.reviewer.username,
                    "decision": last.get_decision_display().lower(),
                }
            )
        raise WorkflowError(
            _("This checklist is not waiting for a review (it is %(status)s).")
            % {"status": checklist.get_status_display().lower()}
        )
    if checklist.submitted_by_id == reviewer.pk:
        raise WorkflowError(
            _("You submitted this checklist, so another focal point must review it.")
        )
    conditions = conditions or []
    if decision not in Decision.values:
        raise WorkflowError(_("Choose a decision."))
    if decision == Decision.RETURNED and not comment.strip():
        raise WorkflowError(_("Say what needs to change: a comment is required to return it."))
    if decision == Decision.APPROVED_WITH_CONDITIONS and not conditions:
        raise WorkflowError(_("Add at least one condition, or approve without conditions."))

    review = Review.objects.create(
        checklist=checklist, decision=decision, comment=comment.strip(), reviewer=reviewer
    )
    answers = {a.pk: a for a in checklist.answers.all()}
    comments = [
        ReviewComment(review=review, answer=answers[answer_id], text=text.strip())
        for answer_id, text in (item_comments or {}).items()
        if text.strip() and answer_id in answers
    ]
    ReviewComment.objects.bulk_create(comments)
    for condition in conditions:
        ActionPoint.objects.create(
            project=checklist.project,
            review=review,
            description=condition.description,
            owner=condition.owner,
            due_date=condition.due_date,
        )
    previous = checklist.status
    checklist.status = ChecklistStatus.APPROVED if review.is_approval else ChecklistStatus.RETURNED
    checklist.save(update_fields=["status"])
    AuditEntry.objects.create(
        project=checklist.project,
        checklist=checklist,
        actor=reviewer,
        action=AuditAction.CHECKLIST_APPROVED
        if review.is_approval
        else AuditAction.CHECKLIST_RETURNED,
        changes={
            "status": [previous, checklist.status],
            "decision": [None, decision],
            "comment": [None, review.comment],
            "conditions": [None, [c.description for c in conditions]],
        },
    )
    for item_comment in comments:
        AuditEntry.objects.create(
            project=checklist.project,
            checklist=checklist,
            answer=item_comment.answer,
            actor=reviewer,
            action=AuditAction.REVIEW_COMMENT,
            changes={"comment": [None, item_comment.text]},
        )
    next_phase = NEXT_PHASE_ON_APPROVAL.get(checklist.phase.code)
    if (
        review.is_approval
        and next_phase
        and checklist.project.current_phase_id == checklist.phase_id
    ):
        _move_project(project=checklist.project, phase_code=next_phase, user=reviewer)
    transaction.on_commit(lambda: notify_decision(review_id=review.pk))
    return review


def _move_project(*, project: Project, phase_code: str, user: User) -> None:
    phase = Phase.objects.get(code=phase_code)
    previous = project.current_phase.code
    project.current_phase = phase
    project.save(update_fields=["current_phase", "updated_at"])
    AuditEntry.objects.create(
        project=project,
        actor=user,
        action=AuditAction.PHASE_CHANGED,
        changes={"phase": [previous, phase.code]},
    )


@transaction.atomic
def move_to_evaluation(*, project: Project, user: User) -> Project:
    """Staff move a project to evaluation once a monitoring round has been approved."""
    project = Project.objects.select_for_update().select_related("current_phase").get(pk=project.pk)
    if project.current_phase.code != "implementation":
        raise WorkflowError(
            _("Only a project in implementation and monitoring can move to evaluation.")
        )
    approved_round = Checklist.objects.filter(
        project=project, phase__code="implementation", status=ChecklistStatus.APPROVED
    ).exists()
    if not approved_round:
        raise WorkflowError(
            _("A monitoring round must be approved before the project moves to evaluation.")
        )
    _move_project(project=project, phase_code="evaluation", user=user)
    return project


def endorsement_of(project: Project) -> Review | None:
    """The project's protection endorsement: the approval of its endorsement checklist."""
    return (
        Review.objects.filter(
            checklist__project=project,
            checklist__phase__code="endorsement",
            decision__in=[Decision.APPROVED, Decision.APPROVED_WITH_CONDITIONS],
        )
        .select_related("reviewer")
        .order_by("-decided_at")
        .first()
    )
