"""E-mails: on submission to the office's focal points, on a decision to the submitter, and
reminders about action points. Each mail is written in its recipient's language."""

import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from projects.models import Profile, Role

from .models import ActionPoint, Checklist, Reminder, Review

REMINDER_DAYS_AHEAD = 7


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


def focal_points_of(office_id: int):
    return User.objects.filter(
        memberships__office_id=office_id,
        memberships__role=Role.FOCAL_POINT,
        is_active=True,
    ).distinct()


def notify_submission(*, checklist_id: int) -> int:
    """Tell the office's focal points that a checklist waits for their review."""
    checklist = Checklist.objects.select_related("project__office", "phase", "submitted_by").get(
        pk=checklist_id
    )
    url = absolute(reverse("checklists:review", kwargs={"pk": checklist.pk}))
    sent = 0
    for focal_point in focal_points_of(checklist.project.office_id):
        if focal_point.pk == checklist.submitted_by_id:
            continue  # they cannot review their own submission
        sent += send("submitted", to=focal_point, context={"checklist": checklist, "url": url})
    return sent


def notify_decision(*, review_id: int) -> int:
    """Tell the person who submitted the checklist what the focal point decided."""
    review = Review.objects.select_related(
        "checklist__project", "checklist__phase", "checklist__submitted_by", "reviewer"
    ).get(pk=review_id)
    submitter = review.checklist.submitted_by
    if submitter is None:
        return 0
    url = absolute(reverse("checklists:detail", kwargs={"pk": review.checklist_id}))
    conditions = list(review.conditions.select_related("owner"))
    context = {
        "review": review,
        "checklist": review.checklist,
        "url": url,
        "conditions": conditions,
    }
    return int(send("decided", to=submitter, context=context))


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
