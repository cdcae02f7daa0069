"""The personal digest (issue 29): a daily or weekly e-mail of what waits for a person.

What waits for their decision, their checklists returned for revision, the overdue action
points they answer for. Counts and links only: project codes, phase names and dates, never
an answer, a comment, a review's comment or an action point's text, since a mail leaves the
app's access rules behind. Everything comes through projects/permissions.py, so a digest
never shows what the person could not open.

``notifications.queue_digests`` decides who is due and queues the mails in the outbox; the
task worker composes each with ``build_digest`` when it sends it, so the mail tells what
waits at that moment.
"""

import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db.models import Count, Min, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from projects import permissions
from projects.models import Digest, Profile, Role

from .models import PhaseCode

# A digest goes at the first run after this hour in the person's time zone: a morning mail.
DIGEST_HOUR = 6
# Rows listed in each part of a digest; the count says how many there are in all.
MAX_ROWS = 20


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _local(profile: Profile, now: datetime.datetime) -> datetime.datetime:
    try:
        zone = ZoneInfo(profile.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = datetime.UTC  # a zone the system no longer knows: never stop everyone's digest
    return now.astimezone(zone)


def local_today(profile: Profile, now: datetime.datetime) -> datetime.date:
    return _local(profile, now).date()


def is_due(profile: Profile, now: datetime.datetime) -> bool:
    """Whether the person's digest is due: daily, once each day after DIGEST_HOUR in their
    time zone; weekly, once each week (Monday, or the first run after it)."""
    if profile.digest == Digest.NONE:
        return False
    local = _local(profile, now)
    if local.hour < DIGEST_HOUR:
        return False
    first_day = local.date()
    if profile.digest == Digest.WEEKLY:
        first_day -= datetime.timedelta(days=local.weekday())
    return profile.digest_made_on is None or profile.digest_made_on < first_day


def subscribed_profiles():
    """Everyone who chose a digest and can receive one: active, with an address."""
    return (
        Profile.objects.exclude(digest=Digest.NONE)
        .filter(user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("pk")
    )


def overdue_action_points(user, today: datetime.date):
    """Overdue points the person answers for: their own, and those of the offices where they
    are programme staff, among the action points they may read."""
    staff_offices = permissions.offices_with_role(user, Role.STAFF)
    return (
        permissions.visible_action_points(user)
        .overdue(today)
        .filter(Q(owner=user) | Q(project__office__in=staff_offices))
    )


def _phase_name(phase) -> str:
    """The phase's name in the reader's language (the model holds it in English only)."""
    try:
        return PhaseCode(phase.code).label
    except ValueError:
        return phase.name


def _count(checklists, rows: list) -> int:
    """How many in all: the rows when they are all there, else one count query."""
    if len(rows) < MAX_ROWS:
        return len(rows)
    return checklists.count() if isinstance(checklists, QuerySet) else len(checklists)


def _checklist_rows(checklists, url_name: str) -> list[dict]:
    return [
        {
            "project_code": checklist.project.code,
            "phase": _phase_name(checklist.phase),
            "submitted_at": checklist.submitted_at,
            "url": _absolute(reverse(url_name, kwargs={"pk": checklist.pk})),
        }
        for checklist in checklists
    ]


def _action_point_rows(user, today: datetime.date) -> tuple[int, list[dict]]:
    """The overdue points counted per project, in one query: no text of any point."""
    per_project = list(
        overdue_action_points(user, today)
        .values("project_id", "project__code")
        .annotate(count=Count("pk", distinct=True), oldest=Min("due_date"))
        .order_by("oldest", "project__code")
    )
    rows = [
        {
            "project_code": row["project__code"],
            "count": row["count"],
            "oldest_due_date": row["oldest"],
            "url": _absolute(
                reverse("checklists:action-points", kwargs={"project_pk": row["project_id"]})
                + "?view=overdue"
            ),
        }
        for row in per_project
    ]
    return sum(row["count"] for row in rows), rows[:MAX_ROWS]


def build_digest(user, *, today: datetime.date) -> dict:
    """What waits for ``user`` on ``today`` (their local date): counts and links.

    A constant number of queries whatever the number of checklists and action points."""
    queue = permissions.review_queue(user)
    returned = permissions.checklists_to_revise(user)
    overdue_count, overdue_rows = _action_point_rows(user, today)
    to_review = _checklist_rows(queue[:MAX_ROWS], "checklists:review")
    to_revise = _checklist_rows(returned[:MAX_ROWS], "checklists:detail")
    to_review_count = _count(queue, to_review)
    to_revise_count = _count(returned, to_revise)
    return {
        "today": today,
        "to_review": to_review,
        "to_review_count": to_review_count,
        "to_revise": to_revise,
        "to_revise_count": to_revise_count,
        "overdue": overdue_rows,
        "overdue_count": overdue_count,
        "total": to_review_count + to_revise_count + overdue_count,
        "home_url": _absolute(reverse("checklists:home")),
        "settings_url": _absolute(reverse("projects:settings")),
    }


def digest_for(user, now: datetime.datetime | None = None) -> dict | None:
    """The digest to send to ``user`` now, in their time zone; None when nothing waits or
    they no longer want one."""
    now = now or timezone.now()
    profile = Profile.objects.filter(user=user).first()
    if profile is None or profile.digest == Digest.NONE:
        return None
    digest = build_digest(user, today=local_today(profile, now))
    if not digest["total"]:
        return None
    return {**digest, "frequency": profile.digest}
