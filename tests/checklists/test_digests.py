"""The personal digest (issue 29): a daily or weekly e-mail, in the person's language, of what
waits for them; counts and links only, never an answer, a comment or a condition's text."""

import datetime
import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from checklists import digests, notifications, tasks
from checklists.models import (
    ActionPoint,
    ChecklistStatus,
    Decision,
    MailKind,
    OutgoingMail,
    Review,
    ReviewComment,
)
from projects.models import Digest, Profile, Role

from ..factories import make_checklist, make_office, make_project, make_user

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
# A Monday, 08:00 UTC: 11:00 in Baghdad.
MONDAY = datetime.datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
SECRETS = [
    "ANSWER-SECRET-ab12",
    "REVIEW-SECRET-cd34",
    "REVIEW-COMMENT-SECRET-ef56",
    "CONDITION-SECRET-gh78",
    "ACTION-POINT-SECRET-ij90",
    "FOREIGN-PRJ-99",
]


def subscribe(user, digest=Digest.DAILY, language="en", time_zone="Asia/Baghdad"):
    user.email = f"{user.username}@example.org"
    user.save()
    Profile.objects.update_or_create(
        user=user, defaults={"digest": digest, "language": language, "time_zone": time_zone}
    )


def submitted(project, staff, **fields):
    return make_checklist(
        project=project,
        user=staff,
        item_count=2,
        status=ChecklistStatus.SUBMITTED,
        submitted_by=staff,
        submitted_at=MONDAY - datetime.timedelta(days=3),
        **fields,
    )


def overdue_point(project, owner, description="", **fields):
    return ActionPoint.objects.create(
        project=project,
        owner=owner,
        description=description,
        due_date=datetime.date(2026, 11, 2),
        **fields,
    )


@pytest.fixture
def waiting(staff_a, focal_a, project_a, outsider_b, project_b):
    """In office A: one checklist waiting for focal_a's decision (its answers commented),
    one returned to staff_a with a review comment and a condition, two overdue points.
    In office B: a submitted checklist and an overdue point nobody of office A may see."""
    queued = submitted(project_a, staff_a)
    queued.answers.update(comment="ANSWER-SECRET-ab12")
    other_project = make_project(office=project_a.office, code="IRQ-EDU-02")
    returned = make_checklist(
        project=other_project, user=staff_a, item_count=2, status=ChecklistStatus.RETURNED
    )
    review = Review.objects.create(
        checklist=returned,
        decision=Decision.RETURNED,
        comment="REVIEW-SECRET-cd34",
        reviewer=focal_a,
    )
    ReviewComment.objects.create(
        review=review, answer=returned.answers.first(), text="REVIEW-COMMENT-SECRET-ef56"
    )
    overdue_point(other_project, staff_a, "CONDITION-SECRET-gh78", review=review)
    overdue_point(project_a, None, "ACTION-POINT-SECRET-ij90")
    # Office B: never counted for office A's people.
    foreign = make_project(office=project_b.office, code="FOREIGN-PRJ-99")
    submitted(foreign, outsider_b)
    overdue_point(foreign, outsider_b, "foreign")
    return {"queued": queued, "returned": returned}


def send_due(now=MONDAY):
    queued = notifications.queue_digests(now)
    notifications.deliver_due_mail(now)
    return queued


def texts(message):
    return [message.subject, message.body, message.alternatives[0][0]]


def test_a_french_digest_counts_and_links_and_holds_no_comment_text(
    settings, staff_a, focal_a, waiting
):
    settings.SITE_URL = "https://pm.example.org"
    subscribe(staff_a, language="fr")
    subscribe(focal_a, language="fr")

    assert send_due() == 2

    by_recipient = {m.to[0]: m for m in mail.outbox}
    staff_mail = by_recipient["staff_a@example.org"]
    assert staff_mail.subject == "Votre résumé du jour : 3 choses vous attendent"
    checklist_url = reverse("checklists:detail", args=[waiting["returned"].pk])
    points_url = reverse("checklists:action-points", args=[waiting["returned"].project_id])
    for text in texts(staff_mail)[1:]:
        assert "1 liste de contrôle a été renvoyée pour révision" in text
        assert "2 points d'action sont en retard" in text
        assert "IRQ-SHL-01" in text and "IRQ-EDU-02" in text
        assert "7 décembre 2026" in text  # the date in French
        assert f"https://pm.example.org{checklist_url}" in text
        assert f"https://pm.example.org{points_url}?view=overdue" in text
    focal_mail = by_recipient["focal_a@example.org"]
    review_url = reverse("checklists:review", args=[waiting["queued"].pk])
    assert "1 liste de contrôle attend votre décision" in focal_mail.body
    assert f"https://pm.example.org{review_url}" in focal_mail.alternatives[0][0]
    for message in mail.outbox:
        for text in texts(message):
            for secret in SECRETS:
                assert secret not in text


def test_an_arabic_digest_is_in_arabic_right_to_left_and_holds_no_comment_text(staff_a, waiting):
    subscribe(staff_a, language="ar", digest=Digest.WEEKLY)

    assert send_due() == 1

    (message,) = mail.outbox
    subject, body, html = texts(message)
    assert "ملخصك الأسبوعي" in subject
    assert "إجراءات المتابعة المتأخرة (2):" in body
    assert 'dir="rtl"' in html and "ديسمبر" in html
    for text in (subject, body, html):
        for secret in SECRETS:
            assert secret not in text


def test_only_the_persons_scope_is_counted(focal_a, staff_a, waiting):
    digest = digests.build_digest(focal_a, today=MONDAY.date())
    assert (digest["to_review_count"], digest["to_revise_count"], digest["overdue_count"]) == (
        1,
        0,
        0,
    )
    # staff_a's own submission waits for another focal point, never for them.
    digest = digests.build_digest(staff_a, today=MONDAY.date())
    assert (digest["to_review_count"], digest["to_revise_count"], digest["overdue_count"]) == (
        0,
        1,
        2,
    )
    assert sorted(row["project_code"] for row in digest["overdue"]) == ["IRQ-EDU-02", "IRQ-SHL-01"]


def test_a_point_owned_elsewhere_is_counted_only_where_the_person_may_read_it(
    staff_a, project_b, outsider_b
):
    # An office A staff member made owner of an office B point (bad data): still not theirs
    # to see, so not in their digest.
    overdue_point(project_b, staff_a)
    assert digests.build_digest(staff_a, today=MONDAY.date())["overdue_count"] == 0
    assert digests.build_digest(outsider_b, today=MONDAY.date())["overdue_count"] == 1


def test_none_is_sent_when_the_choice_is_none_or_nothing_waits(
    staff_a, focal_a, manager_a, waiting
):
    subscribe(staff_a, digest=Digest.NONE)
    subscribe(focal_a, digest=Digest.NONE)
    subscribe(manager_a)  # nothing waits for a manager here
    assert send_due() == 0
    assert mail.outbox == []
    assert not OutgoingMail.objects.exists()


def test_a_daily_digest_goes_once_a_day_in_the_persons_morning(staff_a, waiting):
    subscribe(staff_a, time_zone="Asia/Baghdad")  # UTC+3
    assert send_due(MONDAY.replace(hour=2)) == 0  # 05:00 in Baghdad: not yet
    assert send_due(MONDAY.replace(hour=4)) == 1  # 07:00
    assert send_due(MONDAY.replace(hour=20)) == 0  # the same day
    assert send_due(MONDAY.replace(hour=21)) == 0  # 00:00 Tuesday: before the morning
    assert send_due(MONDAY + datetime.timedelta(days=1)) == 1
    assert len(mail.outbox) == 2
    assert OutgoingMail.objects.filter(kind=MailKind.DIGEST, sent_at__isnull=False).count() == 2


def test_a_weekly_digest_goes_once_a_week(staff_a, waiting):
    subscribe(staff_a, digest=Digest.WEEKLY)
    sent = [send_due(MONDAY + datetime.timedelta(days=day)) for day in range(14)]
    assert sent == [1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
    assert len(mail.outbox) == 2


def test_a_digest_with_nothing_left_by_the_time_it_goes_is_not_sent(staff_a, waiting):
    subscribe(staff_a)
    assert notifications.queue_digests(MONDAY) == 1
    ActionPoint.objects.update(done_on=MONDAY.date())
    waiting["returned"].status = ChecklistStatus.SUBMITTED
    waiting["returned"].save(update_fields=["status"])
    notifications.deliver_due_mail(MONDAY)
    assert mail.outbox == []


def morning_zone() -> str:
    """A time zone where it is past 06:00 now, for the tests that run on the real clock."""
    return "UTC" if datetime.datetime.now(UTC).hour >= 6 else "Etc/GMT-8"


def test_the_command_queues_the_digests_and_the_worker_sends_them(
    staff_a, waiting, django_capture_on_commit_callbacks
):
    subscribe(staff_a, time_zone=morning_zone())
    output = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_digests", stdout=output)
    assert "1 digest e-mail(s) queued." in output.getvalue()
    assert [m.to for m in mail.outbox] == [["staff_a@example.org"]]


def test_the_task_worker_queues_and_sends_the_digests(
    staff_a, waiting, django_capture_on_commit_callbacks
):
    subscribe(staff_a, time_zone=morning_zone())
    with django_capture_on_commit_callbacks(execute=True):
        tasks.send_digests.enqueue()
    assert [m.to for m in mail.outbox] == [["staff_a@example.org"]]
    assert OutgoingMail.objects.get().sent_at is not None


def test_a_time_zone_the_system_no_longer_knows_counts_as_utc(staff_a, waiting):
    subscribe(staff_a)
    Profile.objects.filter(user=staff_a).update(time_zone="Atlantis/Capital")
    assert send_due() == 1


def test_the_settings_page_saves_the_choice(client, staff_a):
    client.force_login(staff_a)
    page = client.get(reverse("projects:settings")).content.decode()
    assert re.search(r'<input type="radio"[^>]* name="digest" value="weekly"', page)
    response = client.post(
        reverse("projects:settings"),
        {"language": "en", "time_zone": "UTC", "digest": "weekly"},
        follow=True,
    )
    assert response.status_code == 200
    assert Profile.objects.get(user=staff_a).digest == Digest.WEEKLY
    # A form without the field keeps the choice; an unknown one is refused with a message.
    client.post(reverse("projects:settings"), {"language": "en", "time_zone": "UTC"})
    assert Profile.objects.get(user=staff_a).digest == Digest.WEEKLY
    response = client.post(
        reverse("projects:settings"), {"language": "en", "time_zone": "UTC", "digest": "hourly"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Profile.objects.get(user=staff_a).digest == Digest.WEEKLY


def _people_with_work(count: int, checklists_each: int) -> None:
    """A focal point and ``count - 1`` staff members of a new office, each of whom submitted
    ``checklists_each`` checklists and owns as many overdue points."""
    office = make_office()
    subscribe(make_user(office=office, role=Role.FOCAL_POINT))
    for _person in range(count - 1):
        staff = make_user(office=office, role=Role.STAFF)
        subscribe(staff)
        for _checklist in range(checklists_each):
            project = make_project(office=office)
            submitted(project, staff)
            overdue_point(project, staff)


def test_queries_grow_with_people_not_with_their_checklists(query_count):
    _people_with_work(2, checklists_each=1)
    two, queued = query_count(lambda: notifications.queue_digests(MONDAY))
    assert queued == 2
    Profile.objects.update(digest=Digest.NONE)
    _people_with_work(8, checklists_each=2)
    eight, queued = query_count(lambda: notifications.queue_digests(MONDAY))
    assert queued == 8
    # One query for the list of people, then the same few for each person: none per
    # checklist or action point (the focal point of eight has 14 checklists waiting).
    per_person = (two - 1) / 2
    assert eight == 1 + 8 * per_person
    assert per_person <= 12
