"""No silent waits: a decision waiting too long at a level of the endorsement chain reminds
the level's deciders; after a further delay it tells the focal points of the office above
and the managers of the project's office. It never decides anything itself.

Run daily (``manage.py send_endorsement_reminders``). A notice is recorded (unique per
wait) in the same transaction as its mails, so nothing is sent twice for one wait.
"""

import datetime

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from projects import permissions
from projects.models import Role

from . import notifications
from .models import (
    DEFAULT_ESCALATE_AFTER_DAYS,
    DEFAULT_REMINDER_AFTER_DAYS,
    Checklist,
    EndorsementNotice,
    MailKind,
    NoticeKind,
    OutgoingMail,
)


def delays(checklist: Checklist) -> tuple[int, int]:
    """Days of waiting before the reminder, and before the escalation, at its level."""
    rule = checklist.waiting_rule
    remind = rule.reminder_after_days if rule else DEFAULT_REMINDER_AFTER_DAYS
    escalate = rule.escalate_after_days if rule else DEFAULT_ESCALATE_AFTER_DAYS
    return remind, remind + escalate


def _deciders(checklist: Checklist, office) -> list[User]:
    since = checklist.submitted_at or timezone.now()
    decided = checklist.reviews.filter(decided_at__gte=since).values("reviewer")
    return list(
        permissions.reviewers_of(checklist.project, office.pk)
        .exclude(pk=checklist.submitted_by_id)
        .exclude(pk__in=decided)
    )


def _escalation_recipients(checklist: Checklist, office) -> list[User]:
    """Focal points of the office above the waiting level, and the managers of the
    project's office."""
    above = (
        list(permissions.reviewers_of(checklist.project, office.parent_id))
        if office.parent_id
        else []
    )
    managers = User.objects.filter(
        memberships__office_id=checklist.project.office_id,
        memberships__role=Role.MANAGER,
        is_active=True,
    ).distinct()
    return list({user.pk: user for user in [*above, *managers]}.values())


def _notify(checklist: Checklist, kind: NoticeKind, recipients: list[User]) -> bool:
    """Record the notice and queue its mails, once per wait."""
    since = checklist.waiting_since or checklist.submitted_at
    try:
        with transaction.atomic():
            EndorsementNotice.objects.create(
                checklist=checklist, level=checklist.waiting_level, waiting_since=since, kind=kind
            )
            mail_kind = (
                MailKind.ENDORSEMENT_LATE
                if kind == NoticeKind.ESCALATION
                else MailKind.ENDORSEMENT_WAITING
            )
            notifications.queue_mails(
                [OutgoingMail(kind=mail_kind, recipient=u, checklist=checklist) for u in recipients]
            )
    except IntegrityError:
        return False  # already sent for this wait
    return True


def send_endorsement_reminders(now: datetime.datetime | None = None) -> dict[str, int]:
    """Remind, then escalate, every decision waiting longer than its level allows."""
    now = now or timezone.now()
    sent = {NoticeKind.REMINDER: 0, NoticeKind.ESCALATION: 0}
    waiting = Checklist.objects.submitted().select_related(
        "project__office", "waiting_rule", "waiting_office"
    )
    for checklist in waiting:
        since = checklist.waiting_since or checklist.submitted_at
        office = checklist.waiting_office or checklist.project.office
        days = (now - since).days
        remind_after, escalate_after = delays(checklist)
        if days >= remind_after and _notify(
            checklist, NoticeKind.REMINDER, _deciders(checklist, office)
        ):
            sent[NoticeKind.REMINDER] += 1
        if days >= escalate_after and _notify(
            checklist, NoticeKind.ESCALATION, _escalation_recipients(checklist, office)
        ):
            sent[NoticeKind.ESCALATION] += 1
    return {str(kind): count for kind, count in sent.items()}
