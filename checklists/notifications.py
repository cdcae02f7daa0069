"""E-mails: on submission to the office's focal points, on a decision to the submitter,
reminders about action points, and the daily or weekly digests (checklists/digests.py).
Each mail is written in its recipient's language.

Notifications go through an outbox (``OutgoingMail``): the workflow queues them in its own
transaction and the task worker sends them, so a mail server that fails never turns saved
work into an error page, and the mail is tried again.
"""

import datetime
import logging

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import default_task_backend, task

from projects import permissions
from projects.models import Profile

from . import digests
from .models import ActionPoint, Checklist, MailKind, OutgoingMail, Reminder, Review

logger = logging.getLogger(__name__)

REMINDER_DAYS_AHEAD = 7
# A mail that still fails after this many attempts (about a day) is given up and logged.
MAX_ATTEMPTS = 30


def preferences_of(user: User) -> tuple[str, str]:
    """The recipient's language and time zone."""
    profile = Profile.objects.filter(user=user).only("language", "time_zone").first()
    if profile is None:
        return settings.LANGUAGE_CODE, settings.TIME_ZONE
    return profile.language, profile.time_zone


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def send(template: str, *, to: User, context: dict) -> bool:
    """Render templates/emails/<template>_{subject,body}.txt and _body.html in the
    recipient's language and send them. Users without an address are skipped."""
    if not to.email:
        return False
    language, time_zone = preferences_of(to)
    with translation.override(language), timezone.override(time_zone):
        context = {**context, "recipient": to}
        subject = render_to_string(f"emails/{template}_subject.txt", context).strip()
        text = render_to_string(f"emails/{template}_body.txt", context)
        html = render_to_string(f"emails/{template}_body.html", context)
    message = EmailMultiAlternatives(" ".join(subject.split()), text, to=[to.email])
    message.attach_alternative(html, "text/html")
    message.send()
    return True


def queue_submission(*, checklist: Checklist, office_id: int | None = None) -> None:
    """Queue a mail to each focal point of the office that a checklist waits for review
    (the project's office, or the office of the next level of the endorsement chain).

    Called inside the submitting transaction: the mails exist exactly when the submission
    does, and the worker sends them once it is committed.
    """
    recipients = permissions.reviewers_of(checklist.project, office_id).exclude(
        pk=checklist.submitted_by_id
    )
    _queue(
        [
            OutgoingMail(kind=MailKind.SUBMITTED, recipient=user, checklist=checklist)
            for user in recipients
        ]
    )


def queue_decision(*, review: Review) -> None:
    """Queue a mail to the person who submitted the checklist about the decision."""
    submitter_id = review.checklist.submitted_by_id
    if submitter_id is None:
        return
    _queue(
        [
            OutgoingMail(
                kind=MailKind.DECIDED,
                recipient_id=submitter_id,
                checklist=review.checklist,
                review=review,
            )
        ]
    )


def queue_mails(mails: list[OutgoingMail]) -> None:
    """Queue notifications written elsewhere (checklists/endorsement_reminders)."""
    _queue(mails)


def _queue(mails: list[OutgoingMail]) -> None:
    if not mails:
        return
    now = timezone.now()
    for mail in mails:
        mail.next_attempt_at = now
    OutgoingMail.objects.bulk_create(mails)
    transaction.on_commit(deliver_mail.enqueue)


def _compose(mail: OutgoingMail, now: datetime.datetime) -> bool:
    """Render and send one queued mail; False when the recipient has no address (or, for a
    digest, nothing waits any more)."""
    if mail.kind == MailKind.DIGEST:
        context = digests.digest_for(mail.recipient, now)
        return context is not None and send("digest", to=mail.recipient, context=context)
    if mail.kind == MailKind.SUBMITTED:
        checklist = mail.checklist
        url = absolute(reverse("checklists:review", kwargs={"pk": checklist.pk}))
        return send("submitted", to=mail.recipient, context={"checklist": checklist, "url": url})
    if mail.kind in (MailKind.ENDORSEMENT_WAITING, MailKind.ENDORSEMENT_LATE):
        return _compose_waiting(mail)
    review = mail.review
    url = absolute(reverse("checklists:detail", kwargs={"pk": review.checklist_id}))
    context = {
        "review": review,
        "checklist": review.checklist,
        "url": url,
        "conditions": list(review.conditions.select_related("owner")),
    }
    return send("decided", to=mail.recipient, context=context)


def _compose_waiting(mail: OutgoingMail) -> bool:
    """A reminder (or an escalation) about a decision waiting in the endorsement chain."""
    checklist = mail.checklist
    since = checklist.waiting_since or checklist.submitted_at
    context = {
        "checklist": checklist,
        "office": checklist.waiting_office or checklist.project.office,
        "days": (timezone.now() - since).days if since else 0,
        "late": mail.kind == MailKind.ENDORSEMENT_LATE,
        "url": absolute(reverse("checklists:review", kwargs={"pk": checklist.pk})),
    }
    return send("endorsement_waiting", to=mail.recipient, context=context)


def retry_delay(attempts: int) -> datetime.timedelta:
    """1, 2, 4, 8... minutes after each failure, at most an hour."""
    return datetime.timedelta(minutes=min(2 ** (attempts - 1), 60))


def _attempt(mail: OutgoingMail, now: datetime.datetime) -> bool:
    """Try to send one claimed mail; on failure, log it and plan the next attempt."""
    mail.attempts += 1
    try:
        _compose(mail, now)
    except Exception as error:
        mail.last_error = f"{type(error).__name__}: {error}"[:2000]
        if mail.attempts >= MAX_ATTEMPTS:
            mail.gave_up_at = now
            logger.error(
                "mail %s to %s: gave up after %s attempts: %s",
                mail.pk,
                mail.recipient,
                mail.attempts,
                mail.last_error,
            )
        else:
            mail.next_attempt_at = now + retry_delay(mail.attempts)
            logger.warning(
                "mail %s to %s not sent (attempt %s), retrying at %s: %s",
                mail.pk,
                mail.recipient,
                mail.attempts,
                mail.next_attempt_at.isoformat(),
                mail.last_error,
            )
        return False
    mail.sent_at = now
    return True


def deliver_due_mail(now: datetime.datetime | None = None) -> tuple[int, int]:
    """Send every queued mail that is due; a failure is logged and tried again later.

    Each mail is claimed with a row lock (skipping rows another worker holds), so two
    workers never send the same mail. Returns how many were sent and how many will be
    tried again.
    """
    now = now or timezone.now()
    due = OutgoingMail.objects.filter(
        sent_at__isnull=True, gave_up_at__isnull=True, next_attempt_at__lte=now
    )
    sent = retrying = 0
    for mail_id in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            mail = (
                due.select_for_update(skip_locked=True, of=("self",))
                .select_related(
                    "recipient",
                    "checklist__project__office",
                    "checklist__phase",
                    "checklist__submitted_by",
                    "review__reviewer",
                    "review__checklist__project",
                    "review__checklist__phase",
                )
                .filter(pk=mail_id)
                .first()
            )
            if mail is None:
                continue  # another worker has it, or it was sent meanwhile
            if _attempt(mail, now):
                sent += 1
            elif mail.gave_up_at is None:
                retrying += 1
            mail.save(
                update_fields=["attempts", "last_error", "next_attempt_at", "sent_at", "gave_up_at"]
            )
    return sent, retrying


def next_mail_attempt() -> datetime.datetime | None:
    """When the earliest mail still waiting is due, if any."""
    return (
        OutgoingMail.objects.filter(sent_at__isnull=True, gave_up_at__isnull=True)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )


def send_reminders(today: datetime.date | None = None) -> int:
    """Mail each owner their open action points due within 7 days or overdue.

    Safe to run more than once a day: a point already reminded today is left out, because
    the Reminder row is written (unique per point and day) before the mail goes.
    """
    today = today or timezone.localdate()
    due = (
        ActionPoint.objects.open()
        .filter(owner__isnull=False, owner__is_active=True)
        .filter(due_date__lte=today + datetime.timedelta(days=REMINDER_DAYS_AHEAD))
        .exclude(reminders__sent_on=today)
        .select_related("owner", "project", "answer__item")
        .order_by("owner_id", "due_date")
    )
    by_owner: dict[int, list[ActionPoint]] = {}
    for action_point in due:
        try:
            with transaction.atomic():
                Reminder.objects.create(action_point=action_point, sent_on=today)
        except IntegrityError:
            continue  # another run reminded it a moment ago
        by_owner.setdefault(action_point.owner_id, []).append(action_point)
    sent = 0
    for points in by_owner.values():
        owner = points[0].owner
        rows = [
            {
                "action_point": p,
                "overdue": p.due_date < today,
                "url": absolute(
                    reverse("checklists:action-points", kwargs={"project_pk": p.project_id})
                ),
            }
            for p in points
        ]
        try:
            sent += send("reminder", to=owner, context={"rows": rows, "today": today})
        except Exception:
            # Not sent: forget today's reminders for these points so the next run retries.
            Reminder.objects.filter(action_point__in=points, sent_on=today).delete()
            raise
    return sent


def queue_digests(now: datetime.datetime | None = None) -> int:
    """Queue the digests due now; returns how many.

    Each person's day (or week) is claimed before their mail is queued, in one transaction,
    by a conditional update: two runs at once never queue the same digest twice. A person
    with nothing waiting is claimed too, and gets nothing that day.
    """
    now = now or timezone.now()
    queued = 0
    for profile in digests.subscribed_profiles():
        if not digests.is_due(profile, now):
            continue
        today = digests.local_today(profile, now)
        with transaction.atomic():
            claimed = Profile.objects.filter(
                pk=profile.pk, digest_made_on=profile.digest_made_on
            ).update(digest_made_on=today)
            if not claimed or not digests.build_digest(profile.user, today=today)["total"]:
                continue
            OutgoingMail.objects.create(
                kind=MailKind.DIGEST, recipient=profile.user, next_attempt_at=now
            )
            queued += 1
    if queued:
        transaction.on_commit(deliver_mail.enqueue)
    return queued


@task()
def send_digests() -> int:
    """The worker's task: queue the digests due now (``manage.py send_digests`` from cron
    does the same); the worker then sends them as it sends every queued mail."""
    return queue_digests()


@task()
def deliver_mail() -> int:
    """The worker's task: send the notifications that are due; when some failed, come back
    when they are due again (``manage.py deliver_mail`` from cron does the same where tasks
    cannot wait)."""
    sent, retrying = deliver_due_mail()
    next_attempt = next_mail_attempt()
    if retrying and next_attempt is not None and default_task_backend.supports_defer:
        deliver_mail.using(run_after=max(next_attempt, timezone.now())).enqueue()
    return sent
