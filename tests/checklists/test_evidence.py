"""Evidence files on answers: upload with type and size limits, replace (the earlier
version stays), remove, download only for those who may see the checklist, listed on the
checklist and review pages and in the project PDF."""

import io
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from checklists import workflow
from checklists.models import AuditAction, AuditEntry, Evidence

from ..factories import answer_everything, photo, start_project_checklist

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = photo("PNG")
JPEG = photo("JPEG")


def office_document(part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<document/>")
    return buffer.getvalue()


@pytest.fixture
def draft(office_a, staff_a):
    _project, checklist = start_project_checklist(office=office_a, staff=staff_a)
    return checklist


def evidence_url(answer):
    return reverse("checklists:evidence", args=[answer.checklist_id, answer.pk])


def upload(client, answer, name, content, **extra):
    return client.post(evidence_url(answer), {"file": SimpleUploadedFile(name, content), **extra})


def test_staff_attach_a_file_that_the_office_can_download(client, draft, staff_a, focal_a):
    answer = draft.answers.first()
    client.force_login(staff_a)
    response = upload(client, answer, "risk analysis.pdf", PDF)
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert (evidence.answer, evidence.name, evidence.size) == (
        answer,
        "risk_analysis.pdf",
        len(PDF),
    )
    assert evidence.content_type == "application/pdf"
    assert default_storage.open(evidence.file.name).read() == PDF
    assert AuditEntry.objects.filter(action=AuditAction.EVIDENCE_ADDED, answer=answer).exists()
    page = client.get(evidence_url(answer)).content.decode()
    assert "risk_analysis.pdf" in page
    client.force_login(focal_a)
    download = client.get(reverse("checklists:evidence-download", args=[draft.pk, evidence.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in download["Content-Security-Policy"]


def test_another_office_never_reaches_the_file(client, draft, staff_a, outsider_b):
    answer = draft.answers.first()
    client.force_login(staff_a)
    upload(client, answer, "minutes.pdf", PDF)
    evidence = Evidence.objects.get()
    client.force_login(outsider_b)
    for url in (
        reverse("checklists:evidence-download", args=[draft.pk, evidence.pk]),
        evidence_url(answer),
    ):
        assert client.get(url).status_code == 404
    assert upload(client, answer, "theirs.pdf", PDF).status_code == 404
    response = client.post(reverse("checklists:evidence-remove", args=[draft.pk, evidence.pk]))
    assert response.status_code == 404
    evidence.refresh_from_db()
    assert evidence.withdrawn_at is None and Evidence.objects.count() == 1


def test_a_file_is_reached_only_through_its_own_checklist(client, office_a, staff_a, draft):
    _other_project, other = start_project_checklist(office=office_a, staff=staff_a)
    client.force_login(staff_a)
    upload(client, draft.answers.first(), "minutes.pdf", PDF)
    evidence = Evidence.objects.get()
    wrong = reverse("checklists:evidence-download", args=[other.pk, evidence.pk])
    assert client.get(wrong).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", b"MZ\x90\x00 a program", "is not what its name says (.pdf)"),
        ("photo.png", PDF, "is not what its name says (.png)"),
        ("notes.docx", office_document("xl/workbook.xml"), "is not what its name says (.docx)"),
        ("notes.txt", b"text\x00with a null", "is not what its name says (.txt)"),
        ("tool.exe", b"MZ\x90\x00", "This kind of file is not accepted."),
        ("page.html", b"<script>alert(1)</script>", "This kind of file is not accepted."),
        ("empty.pdf", b"", "This file is empty."),
    ],
)
def test_refused_files_are_named_and_nothing_is_kept(
    client, draft, staff_a, name, content, message
):
    answer = draft.answers.first()
    client.force_login(staff_a)
    response = upload(client, answer, name, content)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Evidence.objects.exists()
    assert not AuditEntry.objects.filter(action=AuditAction.EVIDENCE_ADDED).exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("scan.PDF", PDF),
        ("site.jpg", JPEG),
        ("site.png", PNG),
        ("minutes.docx", office_document("word/document.xml")),
        ("budget.xlsx", office_document("xl/workbook.xml")),
        ("notes.txt", "Réunion avec le comité, 12 personnes.".encode()),
    ],
)
def test_accepted_kinds_of_file(client, draft, staff_a, name, content):
    client.force_login(staff_a)
    assert upload(client, draft.answers.first(), name, content).status_code == 302
    assert Evidence.objects.get().name == name


def test_a_file_too_large_is_refused_with_both_sizes(client, draft, staff_a, settings):
    settings.EVIDENCE_MAX_BYTES = 1000
    client.force_login(staff_a)
    response = upload(client, draft.answers.first(), "big.pdf", PDF + b"0" * 2000)
    assert response.status_code == 400
    assert "the largest accepted is 1000\xa0bytes" in response.content.decode()
    assert not Evidence.objects.exists()
    # Far larger than the limit: refused before the body is read.
    response = upload(client, draft.answers.first(), "huge.pdf", PDF + b"0" * 2_000_000)
    assert response.status_code == 413


def test_a_new_version_keeps_the_earlier_one(client, draft, staff_a):
    answer = draft.answers.first()
    client.force_login(staff_a)
    upload(client, answer, "minutes.pdf", PDF)
    first = Evidence.objects.get()
    response = upload(client, answer, "minutes-v2.pdf", PDF + b"%v2", replaces=first.pk)
    assert response.status_code == 302
    first.refresh_from_db()
    second = Evidence.objects.exclude(pk=first.pk).get()
    assert second.replaces == first
    assert first.withdrawn_at is not None and first.withdrawn_by == staff_a
    assert list(answer.evidence_files.current()) == [second]
    page = client.get(evidence_url(answer)).content.decode()
    assert "Earlier files" in page and "minutes.pdf" in page and "replaced by" in page
    old = client.get(reverse("checklists:evidence-download", args=[draft.pk, first.pk]))
    assert b"".join(old.streaming_content) == PDF
    entry = AuditEntry.objects.get(action=AuditAction.EVIDENCE_REPLACED)
    assert entry.changes == {"file": ["minutes.pdf", "minutes-v2.pdf"]}


def test_removing_keeps_the_file_on_record(client, draft, staff_a):
    answer = draft.answers.first()
    client.force_login(staff_a)
    upload(client, answer, "minutes.pdf", PDF)
    evidence = Evidence.objects.get()
    response = client.post(reverse("checklists:evidence-remove", args=[draft.pk, evidence.pk]))
    assert response.status_code == 302
    evidence.refresh_from_db()
    assert evidence.withdrawn_at is not None
    assert default_storage.exists(evidence.file.name)
    assert AuditEntry.objects.filter(action=AuditAction.EVIDENCE_REMOVED).exists()
    assert "removed by" in client.get(evidence_url(answer)).content.decode()


def test_only_programme_staff_change_files(client, draft, focal_a, manager_a):
    for person in (focal_a, manager_a):
        client.force_login(person)
        assert upload(client, draft.answers.first(), "minutes.pdf", PDF).status_code == 403
        page = client.get(evidence_url(draft.answers.first())).content.decode()
        assert "Add a file" not in page
    assert not Evidence.objects.exists()


def test_files_are_frozen_once_submitted(client, draft, staff_a):
    answer = draft.answers.first()
    client.force_login(staff_a)
    upload(client, answer, "minutes.pdf", PDF)
    evidence = Evidence.objects.get()
    answer_everything(draft, staff_a)
    response = upload(client, answer, "late.pdf", PDF)
    assert response.status_code == 400
    assert "can no longer be changed" in response.content.decode()
    client.post(reverse("checklists:evidence-remove", args=[draft.pk, evidence.pk]))
    evidence.refresh_from_db()
    assert evidence.withdrawn_at is None
    assert Evidence.objects.count() == 1


def test_an_answer_holds_a_limited_number_of_files(client, draft, staff_a):
    from checklists.models import MAX_FILES_PER_ANSWER

    answer = draft.answers.first()
    client.force_login(staff_a)
    for n in range(MAX_FILES_PER_ANSWER):
        assert upload(client, answer, f"f{n}.pdf", PDF).status_code == 302
    response = upload(client, answer, "one-more.pdf", PDF)
    assert response.status_code == 400
    assert f"at most {MAX_FILES_PER_ANSWER} files" in response.content.decode()


def test_files_are_listed_on_the_checklist_and_review_pages_and_in_the_pdf(
    client, draft, staff_a, focal_a
):
    from pypdf import PdfReader

    answer = draft.answers.order_by("item__order").first()
    client.force_login(staff_a)
    upload(client, answer, "consultation-minutes.pdf", PDF)
    page = client.get(reverse("checklists:detail", args=[draft.pk])).content.decode()
    assert f"href=/checklists/{draft.pk}/answers/{answer.pk}/evidence/>Evidence files (1)" in page
    answer_everything(draft, staff_a)
    client.force_login(focal_a)
    review = client.get(reverse("checklists:review", args=[draft.pk])).content.decode()
    assert "consultation-minutes.pdf" in review
    pdf = client.get(reverse("checklists:project-report", args=[draft.project_id]))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "consultation-minutes.pdf" in text.replace("\n", "")


def test_the_workflow_refuses_an_answer_of_another_checklist(office_a, staff_a, draft):
    _project, other = start_project_checklist(office=office_a, staff=staff_a)
    from checklists.models import Answer

    with pytest.raises(Answer.DoesNotExist):
        workflow.attach_evidence(
            checklist=draft,
            answer_id=other.answers.first().pk,
            user=staff_a,
            upload=SimpleUploadedFile("x.pdf", PDF),
        )


def test_the_history_tells_each_file_change(client, draft, staff_a):
    answer = draft.answers.first()
    client.force_login(staff_a)
    upload(client, answer, "minutes.pdf", PDF)
    first = Evidence.objects.get()
    upload(client, answer, "minutes-signed.pdf", PDF, replaces=first.pk)
    page = client.get(reverse("checklists:checklist-history", args=[draft.pk])).content.decode()
    assert "Evidence file added" in page
    assert "Evidence file replaced by a new version" in page
    assert "minutes-signed.pdf" in page


def test_an_archived_projects_draft_refuses_evidence(client, draft, staff_a):
    """One rule of when a checklist may change (Checklist.is_editable): a draft of an
    archived project takes no new file and loses none, as its answers cannot change."""
    answer = draft.answers.first()
    client.force_login(staff_a)
    upload(client, answer, "minutes.pdf", PDF)
    evidence = Evidence.objects.get()
    draft.project.archived = True
    draft.project.save(update_fields=["archived"])
    response = upload(client, answer, "late.pdf", PDF)
    assert response.status_code == 400
    assert "This project is archived" in response.content.decode()
    remove = client.post(reverse("checklists:evidence-remove", args=[draft.pk, evidence.pk]))
    assert remove.status_code == 302
    evidence.refresh_from_db()
    assert evidence.withdrawn_at is None
    assert list(Evidence.objects.values_list("name", flat=True)) == ["minutes.pdf"]
    page = client.get(evidence_url(answer)).content.decode()
    assert "Add a file" not in page
    checklist_page = client.get(reverse("checklists:detail", args=[draft.pk])).content.decode()
    assert "This project is archived: its checklists can no longer be changed." in checklist_page
