"""The retention schedule: `manage.py apply_retention` deletes the evidence files (database
and storage, S3 included) and free-text comments of projects ended RETENTION_EVIDENCE_YEARS
ago, leaves a deletion receipt for each (rule, SHA-256, never the content), spares projects
under a legal hold, and changes nothing with --dry-run."""

import datetime
import hashlib
import io
import json

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from checklists import workflow
from checklists.models import (
    AccessKind,
    AccessLogEntry,
    Answer,
    AuditEntry,
    DeletedKind,
    DeletionReceipt,
    Evidence,
    LegalHold,
)

from ..factories import start_project_checklist
from ..test_object_storage import bucket, keys, s3_server  # noqa: F401

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n% the list of families at the safe house\n%%EOF\n"
SECRET = "Family Haddad sleeps behind the school"


def closed_project(office, staff, *, years_ago: int):
    today = timezone.localdate()
    end = today.replace(year=today.year - years_ago) - datetime.timedelta(days=1)
    project, checklist = start_project_checklist(
        office=office, staff=staff, start_date=end - datetime.timedelta(days=365), end_date=end
    )
    answer = checklist.answers.first()
    workflow.save_answer(
        checklist=checklist,
        answer_id=answer.pk,
        user=staff,
        values=workflow.AnswerInput(response="yes", comment=SECRET),
        based_on_version=0,
    )
    first = workflow.attach_evidence(
        checklist=checklist,
        answer_id=answer.pk,
        user=staff,
        upload=SimpleUploadedFile("families.pdf", PDF),
    )
    workflow.attach_evidence(  # a new version: both go
        checklist=checklist,
        answer_id=answer.pk,
        user=staff,
        upload=SimpleUploadedFile("families-v2.pdf", PDF + b"v2"),
        replaces_id=first.pk,
    )
    return project


def run(*arguments) -> str:
    output = io.StringIO()
    call_command("apply_retention", *arguments, stdout=output)
    return output.getvalue()


def test_a_project_closed_six_years_ago_loses_its_files_and_comments(office_a, staff_a):
    project = closed_project(office_a, staff_a, years_ago=6)
    names = list(Evidence.objects.values_list("file", flat=True))
    assert all(default_storage.exists(name) for name in names)
    output = run()
    assert f"Deleted from {project.code}" in output and "2 evidence file(s), 1 comment(s)" in output
    assert not Evidence.objects.exists()
    assert not any(default_storage.exists(name) for name in names)
    assert Answer.objects.get(checklist__project=project, response="yes").comment == ""
    receipts = DeletionReceipt.objects.filter(project=project)
    files = receipts.filter(kind=DeletedKind.EVIDENCE_FILE)
    assert sorted(files.values_list("sha256", flat=True)) == sorted(
        hashlib.sha256(content).hexdigest() for content in (PDF, PDF + b"v2")
    )
    [comment] = receipts.filter(kind=DeletedKind.COMMENT)
    assert comment.sha256 == hashlib.sha256(SECRET.encode()).hexdigest()
    assert "RETENTION_EVIDENCE_YEARS=5" in comment.rule
    # Never the content: not in the receipts, not left in the audit trail either.
    recorded = json.dumps(list(receipts.values("details", "rule")), default=str)
    assert SECRET not in recorded and "families" not in recorded
    assert SECRET not in json.dumps(list(AuditEntry.objects.values_list("changes", flat=True)))


def test_the_project_history_shows_the_receipts(client, office_a, staff_a, focal_a):
    project = closed_project(office_a, staff_a, years_ago=6)
    run()
    client.force_login(focal_a)
    page = client.get(reverse("checklists:project-history", args=[project.pk])).content.decode()
    assert "Deleted under the retention schedule" in page
    assert hashlib.sha256(PDF).hexdigest() in page
    assert SECRET not in page


def test_a_legal_hold_keeps_everything(office_a, staff_a, admin_user):
    project = closed_project(office_a, staff_a, years_ago=6)
    LegalHold.objects.create(project=project, reason="Claim before the court", set_by=admin_user)
    assert f"Kept {project.code}: under a legal hold." in run()
    assert Evidence.objects.count() == 2
    assert Answer.objects.filter(comment=SECRET).exists()
    assert not DeletionReceipt.objects.exists()
    LegalHold.objects.update(lifted_at=timezone.now())  # lifted: the schedule applies
    run()
    assert not Evidence.objects.exists()


def test_a_dry_run_lists_and_changes_nothing(office_a, staff_a):
    project = closed_project(office_a, staff_a, years_ago=6)
    output = run("--dry-run")
    assert f"Would delete from {project.code}" in output
    assert Evidence.objects.count() == 2
    assert all(default_storage.exists(e.file.name) for e in Evidence.objects.all())
    assert Answer.objects.filter(comment=SECRET).exists()
    assert not DeletionReceipt.objects.exists()


def test_a_project_closed_four_years_ago_keeps_its_files(office_a, staff_a):
    closed_project(office_a, staff_a, years_ago=4)
    run()
    assert Evidence.objects.count() == 2
    assert not DeletionReceipt.objects.exists()


def test_old_access_log_entries_go_with_a_receipt(office_a, staff_a, settings):
    settings.RETENTION_ACCESS_LOG_YEARS = 2
    old = AccessLogEntry.objects.create(user=staff_a, kind=AccessKind.EVIDENCE, what="x")
    recent = AccessLogEntry.objects.create(user=staff_a, kind=AccessKind.EVIDENCE, what="y")
    AccessLogEntry.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=3 * 365)
    )
    run()
    assert list(AccessLogEntry.objects.all()) == [recent]
    receipt = DeletionReceipt.objects.get(kind=DeletedKind.ACCESS_LOG)
    assert receipt.rule == "RETENTION_ACCESS_LOG_YEARS=2"


def test_the_files_go_from_the_s3_bucket_too(office_a, staff_a, bucket):  # noqa: F811
    s3, name = bucket
    closed_project(office_a, staff_a, years_ago=6)
    assert len(keys(s3, name)) == 2
    run()
    assert keys(s3, name) == []
    assert DeletionReceipt.objects.filter(kind=DeletedKind.EVIDENCE_FILE).count() == 2


def test_an_administrator_sets_a_legal_hold_with_a_reason(admin_client, admin_user, project_a):
    page = admin_client.get(reverse("admin:checklists_legalhold_changelist"))
    assert "evidence files and free-text comments are deleted 5 years" in page.content.decode()
    response = admin_client.post(
        reverse("admin:checklists_legalhold_add"),
        {"project": project_a.pk, "reason": "Investigation of a complaint"},
    )
    assert response.status_code == 302
    hold = LegalHold.objects.get()
    assert (hold.project, hold.set_by, hold.lifted_at) == (project_a, admin_user, None)
    # Without a reason, no hold.
    response = admin_client.post(
        reverse("admin:checklists_legalhold_add"), {"project": project_a.pk}
    )
    assert response.status_code == 200 and LegalHold.objects.count() == 1
