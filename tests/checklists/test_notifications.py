"""Notification e-mails go through an outbox: a failing mail server never turns saved work
into an error page, the failure is logged, and the mail is sent on a later attempt."""

import datetime
import logging
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone

from checklists import notifications, workflow
from checklists.models import ChecklistStatus, Decision, OutgoingMail
from projects.models import Role

from ..factories import answer_data, make_checklist, make_project, make_user
from .test_review import decide, submitted_checklist

pytestmark = pytest.mark.django_db


class FailingBackend(BaseEmailBackend):
    """A mail server that refuses every message."""

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture
def mail_server_down(settings):
    settings.EMAIL_BACKEND = "tests.checklists.test_notifications.FailingBackend"
    return settings


def test_a_submission_succeeds_while_the_mail_server_is_down_and_the_mail_goes_later(
    client,
    staff_a,
    focal_a,
    project_a,
    mail_server_down,
    caplog,
    django_capture_on_commit_callbacks,
):
    focal_a.email = "focal@example.org"
    focal_a.save()
    checklist = make_checklist(project=project_a, user=staff_a, item_count=2)
    data = {"action": "submit"}
    for answer in checklist.answers.all():
        data.update(answer_data(answer, response="yes"))
    client.force_login(staff_a)
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("checklists:save", args=[checklist.pk]), data, follow=True)

    assert response.status_code == 200
    assert "Checklist submitted for review." in response.content.decode()
    checklist.refresh_from_db()
    assert checklist.status == ChecklistStatus.SUBMITTED
    queued = OutgoingMail.objects.get()
    assert (queued.recipient, queued.attempts, queued.sent_at) == (focal_a, 1, None)
    assert "SMTPServerDisconnected" in queued.last_error
    assert any("not sent (attempt 1)" in r.getMessage() for r in caplog.records)

    # Nothing is due before the retry delay; once the server is back, the mail goes.
    mail_server_down.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notifications.deliver_due_mail() == (0, 0)
    later = timezone.now() + datetime.timedelta(minutes=5)
    assert notifications.deliver_due_mail(later) == (1, 0)
    assert [m.to for m in mail.outbox] == [["focal@example.org"]]
    assert project_a.code in mail.outbox[0].subject
    queued.refresh_from_db()
    assert queued.sent_at is not None and queued.attempts == 2
    assert notifications.deliver_due_mail(later + datetime.timedelta(hours=1)) == (0, 0)
    assert len(mail.outbox) == 1  # never twice


def test_a_decision_succeeds_while_the_mail_server_is_down(
    client, staff_a, focal_a, project_a, mail_server_down, django_capture_on_commit_callbacks
):
    staff_a.email = "staff@example.org"
    staff_a.save()
    checklist = submitted_checklist(project_a, staff_a)
    client.force_login(focal_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(client, checklist, Decision.APPROVED)
    assert response.status_code == 302
    checklist.refresh_from_db()
    assert checklist.status == ChecklistStatus.APPROVED
    project_a.refresh_from_db()
    assert project_a.current_phase.code == "endorsement"
    queued = OutgoingMail.objects.get(recipient=staff_a)
    assert queued.review.checklist == checklist and queued.sent_at is None

    mail_server_down.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    notifications.deliver_due_mail(timezone.now() + datetime.timedelta(hours=1))
    assert [m.to for m in mail.outbox] == [["staff@example.org"]]


def test_the_outbox_gives_up_after_many_attempts_and_says_so(
    staff_a, focal_a, project_a, mail_server_down, caplog
):
    focal_a.email = "focal@example.org"
    focal_a.save()
    submitted_checklist(project_a, staff_a)
    now = timezone.now()
    with caplog.at_level(logging.WARNING):
        for _attempt in range(notifications.MAX_ATTEMPTS):
            now += datetime.timedelta(hours=2)
            notifications.deliver_due_mail(now)
    queued = OutgoingMail.objects.get()
    assert queued.gave_up_at is not None and queued.attempts == notifications.MAX_ATTEMPTS
    assert any(r.levelno == logging.ERROR and "gave up" in r.getMessage() for r in caplog.records)
    assert notifications.deliver_due_mail(now + datetime.timedelta(days=1)) == (0, 0)


def test_mails_are_queued_with_the_change_and_not_without_it(staff_a, focal_a, project_a):
    focal_a.email = "focal@example.org"
    focal_a.save()
    checklist = make_checklist(project=project_a, user=staff_a, item_count=1)
    with pytest.raises(workflow.SubmissionBlocked):
        workflow.submit_checklist(checklist=checklist, user=staff_a)
    assert not OutgoingMail.objects.exists()  # a refused submission tells nobody
    make_user(office=project_a.office, role=Role.FOCAL_POINT, email="other@example.org")
    submitted_checklist(make_project(office=project_a.office), staff_a)
    assert OutgoingMail.objects.count() == 2


def test_the_cron_command_sends_what_waits(staff_a, focal_a, project_a, mail_server_down):
    from io import StringIO

    from django.core.management import call_command

    focal_a.email = "focal@example.org"
    focal_a.save()
    submitted_checklist(project_a, staff_a)  # queued; the worker never ran (no commit here)
    mail_server_down.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    out = StringIO()
    call_command("deliver_mail", stdout=out)
    assert "E-mails sent: 1;" in out.getvalue()
    assert [m.to for m in mail.outbox] == [["focal@example.org"]]
