"""Starting, filling and submitting checklists, and closing action points."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.models import Project

from .. import notifications, scoring, tallies
from ..models import (
    GAP_RESPONSES,
    REPORTED_STATUSES,
    ActionPoint,
    Answer,
    AuditAction,
    AuditEntry,
    Checklist,
    ChecklistStatus,
    Item,
    PhaseCode,
    Response,
)
from .errors import RefusedResponse, StaleAnswer, WorkflowError
from .frameworks import current_framework
from .locks import lock_answer, lock_checklist, lock_project
from .office_items import office_items_for


def start_refusal(*, phase, existing: list[Checklist]) -> str | None:
    """Why a checklist cannot be started for ``phase`` given its ``existing`` ones, if so."""
    if existing and phase.code != PhaseCode.IMPLEMENTATION:
        return _("This project already has a checklist for this phase.")
    if existing and existing[-1].status != ChecklistStatus.APPROVED:
        return _(
            "Monitoring round %(round)s is not approved yet. Finish it before starting another."
        ) % {"round": existing[-1].round}
    return None


@transaction.atomic
def start_checklist(*, project: Project, user: User) -> Checklist:
    """Start the checklist of the project's current phase, with the items for its sectors
    (the framework's, then the office items of its office and the offices above it).

    The implementation phase has numbered monitoring rounds: each start is a new round,
    once the previous round has been approved. Other phases have one checklist.
    """
    project = lock_project(project.pk)
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
    # The office items (of the project's office and those above it) after the framework's.
    office_items = list(office_items_for(project, phase))
    checklist = Checklist.objects.create(
        project=project,
        phase=phase,
        framework=framework,
        round=len(existing) + 1,
        started_by=user,
        has_office_items=bool(office_items),
    )
    items = [*items, *office_items]
    Answer.objects.bulk_create(Answer(checklist=checklist, item=item) for item in items)
    tallies.refresh_tallies([checklist.pk])
    AuditEntry.objects.create(
        project=project,
        checklist=checklist,
        actor=user,
        action=AuditAction.CHECKLIST_STARTED,
        changes={"round": [None, checklist.round]},
    )
    return checklist


@dataclass
class AnswerInput:
    """What a user typed for one answer (already validated by the form)."""

    response: str = ""
    comment: str = ""
    not_applicable_reason: str = ""
    action_description: str = ""
    action_owner: User | None = None
    action_due: datetime.date | None = None


@dataclass(frozen=True)
class AnswerValues:
    """The values a person edits on one answer, in one shape for every reader: the audit
    trail, the conflict check, the page's inputs and the form's "did anything change"."""

    response: str = ""
    comment: str = ""
    not_applicable_reason: str = ""
    action_description: str = ""
    action_owner: User | None = None
    action_due: datetime.date | None = None

    @classmethod
    def of(cls, answer: Answer) -> AnswerValues:
        """What the answer holds (its current action point's values with it)."""
        action = answer.current_action_point
        return cls(
            response=answer.response,
            comment=answer.comment,
            not_applicable_reason=answer.not_applicable_reason,
            action_description=action.description if action else "",
            action_owner=action.owner if action else None,
            action_due=action.due_date if action else None,
        )

    @classmethod
    def wanted(cls, values: AnswerInput) -> AnswerValues:
        """What an answer would hold after saving ``values``: a reason only with "not
        applicable", an action point only with a gap."""
        gap = values.response in GAP_RESPONSES
        not_applicable = values.response == Response.NOT_APPLICABLE
        return cls(
            response=values.response,
            comment=values.comment,
            not_applicable_reason=values.not_applicable_reason if not_applicable else "",
            action_description=values.action_description.strip() if gap else "",
            action_owner=values.action_owner if gap else None,
            action_due=values.action_due if gap else None,
        )

    def _texts(self) -> dict[str, str]:
        return {
            "response": self.response,
            "comment": self.comment,
            "not_applicable_reason": self.not_applicable_reason,
            "action_description": self.action_description,
            "action_due": self.action_due.isoformat() if self.action_due else "",
        }

    def for_audit(self) -> dict[str, str]:
        """As text, the owner by username: what the audit trail records."""
        owner = self.action_owner.get_username() if self.action_owner else ""
        return {**self._texts(), "action_owner": owner}

    def for_page(self, version: int | None = None) -> dict[str, str]:
        """As the page's inputs hold them: the owner by id (and the version, when given)."""
        owner = str(self.action_owner.pk) if self.action_owner else ""
        page = {**self._texts(), "action_owner": owner}
        return page if version is None else {**page, "version": str(version)}


@dataclass
class SavedAnswer:
    """What save_answer did: the answer as saved, whether anything changed, and the
    checklist's counts by principle after the change (None when they did not change)."""

    answer: Answer
    changed: bool
    counts_by_code: dict | None = None


# "At least a sentence": a critical item said not to apply needs a real explanation.
CRITICAL_REASON_MIN_WORDS = 5


def response_refusal(item, response: str) -> str | None:
    """Why this response cannot be given to this item, if so."""
    if response == Response.NOT_APPLICABLE and not item.not_applicable_allowed:
        return _(
            "This item applies to every project: it cannot be answered “not applicable”. "
            "Choose yes, partially or no."
        )
    return None


def not_applicable_problem(answer: Answer) -> str | None:
    """What is missing from a "not applicable" answer before it can be submitted."""
    refusal = response_refusal(answer.item, answer.response)
    if refusal:
        return refusal
    reason = answer.not_applicable_reason.strip()
    if not reason:
        return _("Say why this item does not apply.")
    if answer.item.critical and len(reason.split()) < CRITICAL_REASON_MIN_WORDS:
        return _(
            "This item is critical: explain in a full sentence (at least %(count)s words) "
            "why it does not apply."
        ) % {"count": CRITICAL_REASON_MIN_WORDS}
    return None


def editing_refusal(checklist: Checklist) -> str | None:
    """Why the answers and evidence of this checklist cannot change now, if so. Every
    write (an answer, a submission, an evidence file) asks it under the checklist's lock."""
    if checklist.is_editable:
        return None
    if checklist.project.archived:
        return _("This project is archived: its checklists can no longer be changed.")
    return _("This checklist is %(status)s and can no longer be changed.") % {
        "status": checklist.get_status_display().lower()
    }


def _apply(answer: Answer, values: AnswerInput, *, project_id: int) -> ActionPoint | None:
    """Put ``values`` on the answer and its action point (in memory); returns the action
    point to save, if any. A gap that goes away withdraws its action point, never deletes it."""
    answer.response = values.response
    answer.comment = values.comment
    # A reason means something only for "not applicable"; the page keeps what was typed
    # while the user hesitates, the answer stores it only with that response.
    answer.not_applicable_reason = (
        values.not_applicable_reason if values.response == Response.NOT_APPLICABLE else ""
    )
    action = getattr(answer, "action_point", None)
    if values.response in GAP_RESPONSES:
        if action is None:
            action = ActionPoint(project_id=project_id, answer=answer)
        action.description = values.action_description.strip()
        action.owner = values.action_owner
        action.due_date = values.action_due
        action.withdrawn_on = None
        return action
    if action is not None and action.withdrawn_on is None:
        action.withdrawn_on = timezone.localdate()
        return action
    return None


def save_answer(
    *, checklist: Checklist, answer_id: int, user: User, values: AnswerInput, based_on_version: int
) -> SavedAnswer:
    """Save one answer and its action point, if the user saw the latest version.

    Returns a SavedAnswer (the answer, whether anything changed, the new counts). Raises
    WorkflowError when the checklist
    can no longer be edited, StaleAnswer when someone else saved this answer in between.
    A save whose values are already stored (a retry after a lost reply, or a replay from
    a device that was offline) changes nothing and is not a conflict.
    """
    with transaction.atomic():
        answer = lock_answer(checklist, answer_id)
        if refusal := editing_refusal(checklist):
            raise WorkflowError(refusal)
        if refusal := response_refusal(answer.item, values.response):
            raise RefusedResponse(refusal)
        before = AnswerValues.of(answer)
        if before == AnswerValues.wanted(values):
            return SavedAnswer(answer, changed=False)
        if answer.version != based_on_version:
            raise StaleAnswer(answer)
        counts_before = scoring.count_answer(answer)
        action = _apply(answer, values, project_id=checklist.project_id)
        if action is not None:
            action.save()  # only the fields _apply sets differ from what was just read
        answer.version += 1
        answer.updated_by = user
        answer.updated_at = timezone.now()
        answer.save(
            update_fields=[
                "response",
                "comment",
                "not_applicable_reason",
                "version",
                "updated_by",
                "updated_at",
            ]
        )
        counts_by_code = tallies.change_tally(
            checklist_id=checklist.pk,
            principle_id=answer.item.principle_id,
            before=counts_before,
            after=scoring.count_answer(answer),
        )
        _audit_change(checklist, answer, user, before.for_audit(), AnswerValues.of(answer))
    return SavedAnswer(answer, changed=True, counts_by_code=counts_by_code)


def _audit_change(checklist, answer, user, before: dict, after_values: AnswerValues) -> None:
    after = after_values.for_audit()
    AuditEntry.objects.create(
        project_id=checklist.project_id,
        checklist=checklist,
        answer=answer,
        actor=user,
        action=AuditAction.ANSWER_CHANGED,
        changes={
            name: [before[name], after[name]] for name in after if before[name] != after[name]
        },
    )


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
        elif answer.response == Response.NOT_APPLICABLE and (
            problem := not_applicable_problem(answer)
        ):
            blockers.append(Blocker(answer, problem))
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
    checklist = lock_checklist(checklist.pk)
    if refusal := editing_refusal(checklist):
        raise WorkflowError(refusal)
    answers = checklist.answers.select_related("item", "action_point")
    blockers = submission_blockers(answers)
    if blockers:
        raise SubmissionBlocked(blockers)
    previous = checklist.status
    checklist.status = ChecklistStatus.SUBMITTED
    checklist.submitted_by = user
    checklist.submitted_at = timezone.now()
    checklist.save(update_fields=["status", "submitted_by", "submitted_at"])
    tallies.reported_status_changed(checklist, previous)
    AuditEntry.objects.create(
        project_id=checklist.project_id,
        checklist=checklist,
        actor=user,
        action=AuditAction.CHECKLIST_SUBMITTED,
        changes={"status": [previous, checklist.status]},
    )
    notifications.queue_submission(checklist=checklist)
    return checklist


@transaction.atomic
def mark_action_point_done(
    *, action_point: ActionPoint, user: User, done_on: datetime.date, note: str
) -> ActionPoint:
    """Close an action point. A closed critical gap changes its principle's rating, so the
    tally moves in the same transaction (checklist locked first, as everywhere)."""
    answer = None
    if action_point.answer_id:
        answer = lock_answer(action_point.answer.checklist, action_point.answer_id)
        action_point = answer.action_point
    else:
        action_point = ActionPoint.objects.select_for_update().get(pk=action_point.pk)
    if action_point.withdrawn_on is not None:
        raise WorkflowError(_("This action point was withdrawn: its answer is no longer a gap."))
    if action_point.done_on is not None:
        raise WorkflowError(_("This action point is already marked as done."))
    if not action_point.is_complete:
        # Done means the gap is closed: a point that does not say what, who and when would
        # close a critical gap nobody planned for.
        raise WorkflowError(
            _("Say what will be done, who owns it and by when before marking it done.")
        )
    counts_before = scoring.count_answer(answer) if answer else None
    action_point.done_on = done_on
    action_point.done_note = note
    action_point.save(update_fields=["done_on", "done_note"])
    if answer is not None:
        checklist = answer.checklist
        tallies.change_tally(
            checklist_id=checklist.pk,
            principle_id=answer.item.principle_id,
            before=counts_before,
            after=scoring.count_answer(answer),
            # A reported checklist's gap closed: the dashboard's project tally moves too.
            project_id=checklist.project_id if checklist.status in REPORTED_STATUSES else None,
        )
    AuditEntry.objects.create(
        project_id=action_point.project_id,
        checklist_id=answer.checklist_id if answer else None,
        answer_id=action_point.answer_id,
        actor=user,
        action=AuditAction.ACTION_POINT_DONE,
        changes={"done_on": ["", done_on.isoformat()], "done_note": ["", note]},
    )
    return action_point
