"""Who saw what: every read of evidence, a project's report, portfolio files and
spreadsheets, and API answers leaves one access log entry (who, when, what, address);
the project's focal points and managers read it on /projects/<id>/access/, filtered and as
CSV (itself logged); another office never sees it."""

import csv
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from checklists import workflow
from checklists.models import AccessKind, AccessLogEntry, ReportFile, ReportKind, ReportStatus
from projects.models import Role

from ..factories import make_user, start_project_checklist

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def checklist(project_a, staff_a, office_a):
    project, checklist = start_project_checklist(office=office_a, staff=staff_a)
    return checklist


@pytest.fixture
def evidence(checklist, staff_a):
    return workflow.attach_evidence(
        checklist=checklist,
        answer_id=checklist.answers.first().pk,
        user=staff_a,
        upload=SimpleUploadedFile("minutes.pdf", PDF),
    )


def only_entry(**expected) -> AccessLogEntry:
    [entry] = AccessLogEntry.objects.all()
    for field, value in expected.items():
        assert getattr(entry, field) == value, field
    assert entry.address == "127.0.0.1"
    return entry


def test_an_evidence_download_is_logged(client, checklist, evidence, focal_a):
    client.force_login(focal_a)
    url = reverse("checklists:evidence-download", args=[checklist.pk, evidence.pk])
    assert client.get(url).status_code == 200
    only_entry(
        user=focal_a,
        kind=AccessKind.EVIDENCE,
        what="minutes.pdf",
        project=checklist.project,
        evidence=evidence,
    )


def test_a_refused_download_is_not_a_read(client, checklist, evidence, manager_a):
    client.force_login(manager_a)
    url = reverse("checklists:evidence-download", args=[checklist.pk, evidence.pk])
    assert client.get(url).status_code == 403
    assert not AccessLogEntry.objects.exists()


def test_a_project_report_is_logged(client, checklist, manager_a):
    client.force_login(manager_a)
    project = checklist.project
    assert client.get(reverse("checklists:project-report", args=[project.pk])).status_code == 200
    entry = only_entry(user=manager_a, kind=AccessKind.PROJECT_REPORT, project=project)
    assert entry.what.startswith(f"{project.code}-protection-report-")


def test_a_portfolio_spreadsheet_is_logged_for_the_offices_it_covers(
    client, checklist, manager_a, hq_manager, office_a
):
    client.force_login(manager_a)
    response = client.get(reverse("checklists:portfolio-answers-csv"))
    b"".join(response.streaming_content)
    entry = only_entry(user=manager_a, kind=AccessKind.PORTFOLIO_CSV, project=None)
    assert list(entry.offices.all()) == [office_a]
    client.force_login(hq_manager)
    client.get(reverse("checklists:portfolio-projects-csv"))
    assert AccessLogEntry.objects.filter(user=hq_manager, every_office=True).count() == 1


def test_a_portfolio_file_download_is_logged(client, manager_a, office_a):
    report = ReportFile.objects.create(
        kind=ReportKind.PORTFOLIO_XLSX,
        requested_by=manager_a,
        status=ReportStatus.DONE,
        offices=[office_a.pk],
        filename="portfolio.xlsx",
        language="en",
    )
    report.file.save("portfolio.xlsx", ContentFile(b"PK sheet"))
    client.force_login(manager_a)
    url = reverse("checklists:portfolio-file-download", args=[report.pk])
    assert client.get(url).status_code == 200
    entry = only_entry(kind=AccessKind.PORTFOLIO_FILE, what="portfolio.xlsx")
    assert list(entry.offices.all()) == [office_a]


def test_api_reads_of_answers_leave_one_entry_per_request(client, checklist, staff_a):
    client.force_login(staff_a)
    assert client.get(reverse("api:answer-list"), {"page_size": 5}).status_code == 200
    entry = only_entry(user=staff_a, kind=AccessKind.API_ANSWERS, project=checklist.project)
    assert entry.what == "/api/v1/answers/?page_size=5"
    answer = checklist.answers.first()
    assert client.get(reverse("api:answer-detail", args=[answer.pk])).status_code == 200
    assert AccessLogEntry.objects.filter(kind=AccessKind.API_ANSWERS).count() == 2
    # Another office's answer: 404, and nothing read.
    client.get(reverse("api:answer-detail", args=[10**6]))
    assert AccessLogEntry.objects.count() == 2


def test_answers_of_several_offices_are_logged_against_their_offices(
    client, office_a, office_b, staff_a, hq_manager
):
    start_project_checklist(office=office_a, staff=staff_a)
    start_project_checklist(office=office_b, staff=make_user(office=office_b, role=Role.STAFF))
    client.force_login(hq_manager)
    client.get(reverse("api:answer-list"))
    entry = only_entry(kind=AccessKind.API_ANSWERS, project=None)
    assert set(entry.offices.all()) == {office_a, office_b}


def read_page(client, project, **filters):
    response = client.get(reverse("checklists:project-access", args=[project.pk]), filters)
    assert response.status_code == 200
    page = response.content.decode()
    return page.split("<tbody>")[1] if "<tbody>" in page else page


def test_the_access_log_page_newest_first_and_filtered(
    client, checklist, evidence, staff_a, focal_a, manager_a
):
    project = checklist.project
    client.force_login(focal_a)
    client.get(reverse("checklists:evidence-download", args=[checklist.pk, evidence.pk]))
    client.force_login(manager_a)
    client.get(reverse("checklists:project-report", args=[project.pk]))
    page = read_page(client, project)
    assert page.index("Project report (PDF)") < page.index("Evidence file downloaded")
    assert "minutes.pdf" in page and "127.0.0.1" in page
    filtered = read_page(client, project, kind=AccessKind.EVIDENCE)
    assert "minutes.pdf" in filtered and "Project report (PDF)" not in filtered
    assert "minutes.pdf" not in read_page(client, project, person="manager_a")
    client.force_login(staff_a)
    assert client.get(reverse("checklists:project-access", args=[project.pk])).status_code == 403


def test_the_csv_export_is_itself_logged(client, checklist, evidence, focal_a):
    client.force_login(focal_a)
    client.get(reverse("checklists:evidence-download", args=[checklist.pk, evidence.pk]))
    response = client.get(reverse("checklists:project-access-csv", args=[checklist.project_id]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:4] == ["when", "user", "name", "what"]
    assert [row[3] for row in rows[1:]] == ["access_log_export", "evidence"]
    assert AccessLogEntry.objects.filter(kind=AccessKind.ACCESS_LOG_EXPORT).count() == 1
    # What someone typed (a file name) never runs as a formula in a spreadsheet.
    evidence.name = "=HYPERLINK(0).pdf"
    evidence.save()
    client.get(reverse("checklists:evidence-download", args=[checklist.pk, evidence.pk]))
    response = client.get(reverse("checklists:project-access-csv", args=[checklist.project_id]))
    assert "'=HYPERLINK(0).pdf" in b"".join(response.streaming_content).decode()


def test_another_office_never_sees_the_log(
    client, checklist, evidence, focal_a, manager_a, outsider_b, project_b, office_b
):
    client.force_login(focal_a)
    client.get(reverse("checklists:evidence-download", args=[checklist.pk, evidence.pk]))
    client.force_login(manager_a)
    b"".join(client.get(reverse("checklists:portfolio-projects-csv")).streaming_content)
    for url in (
        reverse("checklists:project-access", args=[checklist.project_id]),
        reverse("checklists:project-access-csv", args=[checklist.project_id]),
    ):
        client.force_login(outsider_b)
        assert client.get(url).status_code == 404
    # Office B's own log holds nothing of office A's reads.
    client.force_login(make_user(office=office_b, role=Role.MANAGER, username="manager_b"))
    page = read_page(client, project_b)
    assert "minutes.pdf" not in page and "portfolio-projects" not in page
    assert "Nothing recorded yet." in page
