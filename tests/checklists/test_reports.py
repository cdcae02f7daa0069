"""Compliance reports: every figure in a report equals the figure on screen."""

import csv
import datetime
import io
import re

import openpyxl
import pypdf
import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from checklists import scoring, tallies, workflow
from checklists.models import (
    ActionPoint,
    Answer,
    Checklist,
    ChecklistStatus,
    Decision,
    Item,
    Phase,
    Principle,
    ReportFile,
)
from checklists.reports.project import build_project_report
from projects.models import PopulationFigure, Profile, Project, Sector

from ..factories import make_checklist, make_framework_items, make_project

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def answered_checklist(
    project, user, responses, *, phase_code="design", status=ChecklistStatus.SUBMITTED, critical=()
):
    """A checklist whose answers are ``responses`` (principles cycle safety, access, ...)."""
    _framework, items = make_framework_items(len(responses), phase_code=phase_code)
    Item.objects.filter(pk__in=[items[i].pk for i in critical]).update(critical=True)
    checklist = make_checklist(project=project, user=user, items=items)
    for item, response in zip(items, responses, strict=True):
        Answer.objects.filter(checklist=checklist, item=item).update(response=response)
    Checklist.objects.filter(pk=checklist.pk).update(
        status=status, submitted_by=user, submitted_at=timezone.now()
    )
    tallies.refresh_tallies([checklist.pk])  # as the workflow does after each saved answer
    checklist.refresh_from_db()
    return checklist


# --- Project PDF -------------------------------------------------------------------------


@pytest.fixture
def endorsed_project(office_a, staff_a, focal_a):
    project = make_project(
        office=office_a,
        code="IRQ-PDF-01",
        title="Shelter for returnees",
        current_phase=Phase.objects.get(code="endorsement"),
        donor="ECHO",
    )
    PopulationFigure.objects.create(
        project=project, sex="female", age_group="60+", with_disability=True, people=17
    )
    # safety: yes, partial -> 75%; access: yes, yes -> 100%; accountability: no -> 0%;
    # participation: na -> not rated
    checklist = answered_checklist(
        project, staff_a, ["yes", "yes", "no", "na", "partial", "yes"], phase_code="endorsement"
    )
    workflow.decide_checklist(
        checklist=checklist, reviewer=focal_a, decision=Decision.APPROVED, comment="Well argued"
    )
    return project, checklist


def test_project_report_data_uses_the_scoring_module(endorsed_project, manager_a):
    project, checklist = endorsed_project
    report = build_project_report(project, language="en", generated_by=manager_a)
    row = report["summary_rows"][0]
    percents = [score.percent if score else None for score in row["principle_scores"]]
    assert percents == [75, 100, 0, None]
    assert report["endorsement"].reviewer.username == "focal_a"
    assert report["overall"].percent == 70  # yes 3, partial 1, no 1: (3 + 0.5) / 5
    assert report["population"]["with_disability"] == 17


def test_project_pdf_holds_what_the_project_page_shows(client, endorsed_project, manager_a):
    project, checklist = endorsed_project
    client.force_login(manager_a)
    page = client.get(reverse("checklists:project", args=[project.pk])).content.decode()
    response = client.get(reverse("checklists:project-report", args=[project.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="{project.code}-protection-report-' in response["Content-Disposition"]
    text = flat(pdf_text(response.content))
    assert project.code in text and "Shelter for returnees" in text
    for principle in Principle.objects.all():
        assert principle.name[:20] in text
    for figure in ("75%", "100%", "0%"):
        assert figure in page and figure in text
    assert "Endorsed on" in text and "Endorsed on" in page
    assert "Well argued" in text
    assert "Page 1 of" in text
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    assert reader.metadata.title == f"Protection mainstreaming progress report: {project.code}"
    titles = []

    def walk(outline):
        for entry in outline:
            walk(entry) if isinstance(entry, list) else titles.append(entry.title)

    walk(reader.outline)
    assert {
        "Protection mainstreaming progress report",
        "Summary",
        "Target population",
        "Critical gaps",
    } <= set(titles)


def test_project_pdf_in_french(client, endorsed_project, manager_a):
    project, _checklist = endorsed_project
    Profile.objects.create(user=manager_a, language="fr")
    client.force_login(manager_a)
    client.post(reverse("switch-language"), {"language": "fr", "next": "/"})
    text = flat(
        pdf_text(client.get(reverse("checklists:project-report", args=[project.pk])).content)
    )
    assert "Rapport de suivi de l'intégration de la protection" in text
    assert "Validé le" in text
    assert "Garantir un accès significatif" in text
    assert "Population cible" in text
    assert "Page 1 sur" in text


def test_project_pdf_is_scoped(client, endorsed_project, outsider_b):
    project, _checklist = endorsed_project
    client.force_login(outsider_b)
    assert client.get(reverse("checklists:project-report", args=[project.pk])).status_code == 404


# --- Portfolio ------------------------------------------------------------------------------


@pytest.fixture
def portfolio(office_a, office_b, staff_a, outsider_b):
    """Two offices with hand-built answers. Office A, safety: 2 yes, 1 partial, 1 no."""
    shelter, cash = Sector.objects.get(code="shelter"), Sector.objects.get(code="cash")
    a1 = make_project(
        office=office_a,
        code="A-1",
        sectors=[shelter],
        donor="ECHO",
        start_date=datetime.date(2026, 1, 1),
        end_date=datetime.date(2026, 6, 30),
    )
    a2 = make_project(
        office=office_a,
        code="A-2",
        sectors=[cash],
        donor="BHA",
        start_date=datetime.date(2026, 7, 1),
        end_date=datetime.date(2026, 12, 31),
    )
    b1 = make_project(office=office_b, code="B-1", sectors=[shelter], donor="ECHO")
    # principles cycle: safety, access, accountability, participation
    answered_checklist(a1, staff_a, ["yes", "yes", "yes", "yes", "partial", "no", "yes", "na"])
    answered_checklist(
        a2, staff_a, ["yes", "yes", "no", "yes", "no", "partial", "yes", "yes"], critical=[4]
    )
    answered_checklist(b1, outsider_b, ["no", "no", "no", "no"])
    # A draft is not counted in the portfolio figures.
    answered_checklist(
        a1, staff_a, ["no", "no", "no", "no"], phase_code="evaluation", status=ChecklistStatus.DRAFT
    )
    return a1, a2, b1


@pytest.fixture
def prepare(client, django_capture_on_commit_callbacks):
    """Ask for a background report as the dashboard's button does; return the file's bytes."""

    def prepare_file(kind, query=""):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("checklists:portfolio-file-request"), {"kind": kind, "query": query}
            )
        assert response.status_code == 302
        status_page = client.get(response["Location"])
        report = ReportFile.objects.latest("pk")
        assert report.status == "done", report.error
        assert 'id="report-download"' in status_page.content.decode()
        download = client.get(reverse("checklists:portfolio-file-download", args=[report.pk]))
        assert download.status_code == 200
        return b"".join(download.streaming_content)

    return prepare_file


def heat_cell(body: str, office_name: str) -> str:
    table = body.split('id="heat-map"')[1].split("</table>")[0]
    return table.split(office_name)[1].split("</tr>")[0]


def test_dashboard_figures_equal_the_scoring_module(client, hq_manager, portfolio, office_a):
    client.force_login(hq_manager)
    response = client.get(reverse("checklists:dashboard"))
    assert response.status_code == 200
    body = response.content.decode()
    ctx = response.context
    assert ctx["project_count"] == 3
    # Office A safety: yes (a1) + partial (a1) + yes (a2) + no (a2, critical) -> (2 + 0.5) / 4
    safety = Principle.objects.get(code="safety")
    expected = scoring.rate(scoring.Counts(yes=2, partial=1, no=1, critical_gaps_without_action=1))
    row = next(r for r in ctx["heat_map"] if r["office"] == office_a)
    cell = row["scores"][0]
    assert cell.percent == expected.percent == 63 and cell.rating == expected.rating == "red"
    assert "63%" in heat_cell(body, office_a.name)
    # Office A access: yes, no (a1); yes, partial (a2) -> (2 + 0.5) / 4 = 63%, amber
    assert row["scores"][1].percent == 63 and row["scores"][1].rating == "amber"
    # Whole office A: yes 10, partial 2, no 3 (the draft left out) -> 11 / 15 = 73%
    assert row["overall"].percent == 73
    assert ctx["critical_count"] == 1
    assert [p.code for p, n in ctx["by_phase"] if n] == ["design"]
    assert dict((label, n) for label, n in ctx["by_status"])["Draft"] == 1
    assert safety.name in body


def test_manager_of_one_office_sees_nothing_of_another(client, manager_a, portfolio, prepare):
    a1, a2, b1 = portfolio
    client.force_login(manager_a)
    body = client.get(reverse("checklists:dashboard")).content.decode()
    assert "A-1" in body and "A-2" in body and "B-1" not in body
    assert "Jordan" not in body
    text = pdf_text(prepare("portfolio_pdf"))
    assert "A-1" in text and "B-1" not in text
    workbook = openpyxl.load_workbook(io.BytesIO(prepare("portfolio_xlsx")))
    codes = {row[0] for row in workbook["Projects"].iter_rows(min_row=2, values_only=True)}
    assert codes == {"A-1", "A-2"}
    answer_codes = {row[0] for row in workbook["Answers"].iter_rows(min_row=2, values_only=True)}
    assert answer_codes == {"A-1", "A-2"}
    # A foreign office in the filter is not a valid choice and shows nothing foreign.
    office_b = b1.office
    body = client.get(reverse("checklists:dashboard"), {"office": office_b.pk}).content.decode()
    assert "B-1" not in body and "Select a valid choice" in body


@pytest.mark.parametrize("user_fixture", ["staff_a", "focal_a"])
def test_dashboard_is_for_managers(client, request, user_fixture, portfolio):
    client.force_login(request.getfixturevalue(user_fixture))
    for name in ("checklists:dashboard", "checklists:portfolio-answers-csv"):
        assert client.get(reverse(name)).status_code == 403
    response = client.post(reverse("checklists:portfolio-file-request"), {"kind": "portfolio_pdf"})
    assert response.status_code == 403 and not ReportFile.objects.exists()


def test_filters_narrow_the_portfolio(client, hq_manager, portfolio):
    client.force_login(hq_manager)
    url = reverse("checklists:dashboard")
    cash = Sector.objects.get(code="cash")
    assert client.get(url, {"sector": cash.pk}).context["project_count"] == 1
    assert client.get(url, {"donor": "ECHO"}).context["project_count"] == 2
    assert client.get(url, {"active_from": "2026-07-01"}).context["project_count"] == 2  # A-2, B-1
    assert client.get(url, {"endorsement": "endorsed"}).context["project_count"] == 0
    bad = client.get(url, {"active_from": "2026-07-01", "active_until": "2026-01-01"})
    assert "The end of the period cannot be before its start." in bad.content.decode()


def test_spreadsheet_holds_one_sheet_of_projects_and_one_of_answers(
    client, hq_manager, portfolio, prepare
):
    client.force_login(hq_manager)
    workbook = openpyxl.load_workbook(io.BytesIO(prepare("portfolio_xlsx")))
    assert workbook.sheetnames == ["Projects", "Answers"]
    projects = list(workbook["Projects"].iter_rows(values_only=True))
    header = projects[0]
    assert header[:3] == ("Project code", "Title", "Office")
    a2 = next(r for r in projects if r[0] == "A-2")
    assert a2[header.index("safety score (%)")] == 50  # yes + no(critical)
    assert a2[header.index("safety rating")] == "red"
    answers = list(workbook["Answers"].iter_rows(values_only=True))
    assert answers[0][:9] == (
        "Project code",
        "Office",
        "Phase",
        "Round",
        "Checklist status",
        "Item code",
        "Principle",
        "Critical",
        "Response",
    )
    assert len(answers) - 1 == 8 + 8 + 4 + 4  # every answer, drafts included (status column)
    statuses = {row[4] for row in answers[1:]}
    assert statuses == {"submitted", "draft"}


def test_spreadsheet_cells_people_typed_never_run_as_formulas(
    client, hq_manager, portfolio, staff_a, prepare
):
    a1 = portfolio[0]
    Project.objects.filter(pk=a1.pk).update(title="=1+1", donor="@SUM(A1)")
    answer = Answer.objects.filter(checklist__project=a1).first()
    Answer.objects.filter(pk=answer.pk).update(
        comment='=HYPERLINK("http://x")', not_applicable_reason="+cmd"
    )
    User.objects.filter(pk=staff_a.pk).update(first_name="=Owner", last_name="")
    ActionPoint.objects.create(
        project=a1, answer=answer, description="-2+3", owner=staff_a, due_date=None
    )
    client.force_login(hq_manager)
    workbook = openpyxl.load_workbook(io.BytesIO(prepare("portfolio_xlsx")))
    # In a workbook the cell is typed as text: the value is exactly what was typed, and no
    # spreadsheet program runs it (a CSV file, untyped, prefixes an apostrophe instead).
    project = next(r for r in workbook["Projects"].iter_rows(values_only=True) if r[0] == "A-1")
    assert project[1:5:3] == ("=1+1", "@SUM(A1)")
    row = next(r for r in workbook["Answers"].iter_rows() if r[9].value == '=HYPERLINK("http://x")')
    assert [cell.value for cell in row[10:13]] == ["+cmd", "-2+3", "=Owner"]
    assert {cell.data_type for cell in row[9:13]} == {"s"}
    cells = [cell for sheet in workbook for line in sheet.iter_rows() for cell in line]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]


def test_csv_exports_parse_and_neutralise_formulas(client, hq_manager, portfolio, staff_a):
    answer = Answer.objects.filter(checklist__project=portfolio[0]).first()
    Answer.objects.filter(pk=answer.pk).update(comment='=HYPERLINK("http://x")')
    ActionPoint.objects.create(
        project=portfolio[0],
        answer=answer,
        description="Fix",
        owner=staff_a,
        due_date=timezone.localdate() - datetime.timedelta(days=1),
    )
    client.force_login(hq_manager)
    response = client.get(reverse("checklists:portfolio-answers-csv"))
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0][0] == "Project code" and len(rows) == 1 + 24
    assert any(row[9] == '\'=HYPERLINK("http://x")' for row in rows)
    projects = list(
        csv.reader(
            io.StringIO(
                b"".join(
                    client.get(reverse("checklists:portfolio-projects-csv")).streaming_content
                ).decode("utf-8-sig")
            )
        )
    )
    assert {row[0] for row in projects[1:]} == {"A-1", "A-2", "B-1"}


def test_portfolio_pdf_in_french(client, hq_manager, portfolio, prepare):
    client.force_login(hq_manager)
    client.post(reverse("switch-language"), {"language": "fr", "next": "/"})
    text = flat(pdf_text(prepare("portfolio_pdf")))
    assert "Rapport sur l'intégration de la protection – portefeuille" in text
    assert "A-1" in text and "B-1" in text
    assert "Scores par bureau et par principe" in text


def test_portfolio_project_table_fits_its_landscape_pages(client, hq_manager, portfolio, prepare):
    """Eleven columns do not fit a portrait A4: the table is printed on landscape pages, and
    its last columns (all principles, overdue action points) are inside the page."""
    client.force_login(hq_manager)
    reader = pypdf.PdfReader(io.BytesIO(prepare("portfolio_pdf")))
    table_pages = [p for p in reader.pages if "One row per project" in flat(p.extract_text())]
    assert table_pages
    for page in table_pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert width > height  # landscape
        seen = []

        def visitor(text, cm, tm, font_dict, font_size, seen=seen):
            if text.strip():
                seen.append(tm[4] * cm[0] + cm[4])

        page.extract_text(visitor_text=visitor)
        assert max(seen) < width, (max(seen), width)  # no text starts beyond the page
    assert float(reader.pages[0].mediabox.width) < float(reader.pages[0].mediabox.height)
    # Each rating cell says its percent and its word, not only its colour.
    table = flat(" ".join(page.extract_text() for page in table_pages))
    assert re.search(r"A-1 .*\d+% (Green|Amber|Red)", table), table


def test_dashboard_lists_the_first_open_critical_gaps_by_project_code(
    client, hq_manager, office_a, staff_a, monkeypatch
):
    from checklists.models import ActionPoint
    from checklists.reports import portfolio

    monkeypatch.setattr(portfolio, "LIST_LIMIT", 2)
    gaps = {}
    for code in ("GAP-C", "GAP-A", "CLOSED", "GAP-B", "DRAFT"):
        project = make_project(office=office_a, code=code)
        status = ChecklistStatus.DRAFT if code == "DRAFT" else ChecklistStatus.SUBMITTED
        checklist = answered_checklist(project, staff_a, ["no", "yes"], critical=[0], status=status)
        gaps[code] = checklist.answers.get(response="no")
    ActionPoint.objects.create(
        project=gaps["CLOSED"].checklist.project,
        answer=gaps["CLOSED"],
        description="Fixed",
        owner=staff_a,
        due_date=datetime.date(2026, 1, 1),
        done_on=datetime.date(2026, 1, 2),
    )
    tallies.refresh_tallies([gaps["CLOSED"].checklist_id])
    client.force_login(hq_manager)
    listed = client.get(reverse("checklists:dashboard")).context["critical_gaps"]
    # "CLOSED" sorts first but its gap is closed; the draft is not reported; the limit holds.
    assert [answer.checklist.project.code for answer in listed] == ["GAP-A", "GAP-B"]


def test_dashboard_counts_monitoring_rounds_by_month_in_the_users_time_zone(
    client, hq_manager, office_a, staff_a
):
    utc = datetime.UTC

    def monitoring_round(
        responses, submitted_at, status=ChecklistStatus.SUBMITTED, phase="implementation"
    ):
        project = make_project(office=office_a)
        checklist = answered_checklist(project, staff_a, responses, phase_code=phase, status=status)
        Checklist.objects.filter(pk=checklist.pk).update(submitted_at=submitted_at)
        tallies.refresh_reported_tallies([project.pk])  # the round's, submitted then

    # 22:30 on 31 March in UTC is 01:30 on 1 April in Baghdad (UTC+3).
    monitoring_round(["yes", "yes"], datetime.datetime(2026, 3, 31, 22, 30, tzinfo=utc))
    monitoring_round(["no", "no"], datetime.datetime(2026, 4, 15, 9, 0, tzinfo=utc))
    # Submitted, then returned: a round of May, but not in its score (not reported).
    returned = ChecklistStatus.RETURNED
    monitoring_round(["yes", "no"], datetime.datetime(2026, 5, 10, 9, tzinfo=utc), returned)
    # A design checklist is not a monitoring round.
    monitoring_round(["no"], datetime.datetime(2026, 4, 20, 9, tzinfo=utc), phase="design")
    client.force_login(hq_manager)
    session = client.session
    session["time_zone"] = "Asia/Baghdad"
    session.save()
    response = client.get(reverse("checklists:dashboard"))
    trend = [
        (row["month"].strftime("%Y-%m"), row["rounds"], row["score"] and row["score"].percent)
        for row in response.context["trend"]
    ]
    assert trend == [("2026-04", 2, 50), ("2026-05", 1, None)]
    table = response.content.decode().split('id="trend-heading"')[1].split("</table>")[0]
    april = table.split("April 2026</th>")[1].split("</tr>")[0]
    assert "<td>2</td>" in april and "50%" in april
    assert "<td>1</td>" in table.split("May 2026</th>")[1].split("</tr>")[0]
    assert "March 2026" not in table


def test_dashboard_queries_do_not_grow_with_projects(
    client, hq_manager, office_a, office_b, staff_a, query_count
):
    client.force_login(hq_manager)
    counts, made = [], 0
    for projects_per_office in (2, 25):
        for office in (office_a, office_b):
            for _ in range(projects_per_office - made):
                project = make_project(office=office)
                answered_checklist(project, staff_a, ["yes", "partial", "no", "na"])
        made = projects_per_office
        queries, response = query_count(lambda: client.get(reverse("checklists:dashboard")))
        assert response.context["project_count"] == 2 * projects_per_office
        counts.append(queries)
    assert counts[0] == counts[1] <= 30, counts


def test_filtered_report_follows_the_dashboard_filters(client, hq_manager, portfolio, prepare):
    client.force_login(hq_manager)
    cash = Sector.objects.get(code="cash")
    text = pdf_text(prepare("portfolio_pdf", query=f"sector={cash.pk}"))
    assert "A-2" in text and "A-1" not in text and "B-1" not in text


def test_report_files_are_private_to_who_asked(client, hq_manager, manager_a, portfolio, prepare):
    client.force_login(hq_manager)
    prepare("portfolio_pdf")
    report = ReportFile.objects.get()
    client.force_login(manager_a)
    assert client.get(reverse("checklists:portfolio-file", args=[report.pk])).status_code == 404
    assert (
        client.get(reverse("checklists:portfolio-file-download", args=[report.pk])).status_code
        == 404
    )


def test_a_report_file_goes_with_its_requesters_scope(
    client, manager_a, office_b, portfolio, prepare
):
    client.force_login(manager_a)
    prepare("portfolio_xlsx")
    report = ReportFile.objects.get()
    download = reverse("checklists:portfolio-file-download", args=[report.pk])
    assert client.get(download).status_code == 200
    # Moved to another office: the file of the first office's projects is no longer theirs.
    membership = manager_a.memberships.get()
    membership.office = office_b
    membership.save()
    assert client.get(download).status_code == 404
    assert client.get(reverse("checklists:portfolio-file", args=[report.pk])).status_code == 404


def test_report_in_progress_shows_its_status_and_no_download(client, hq_manager, portfolio):
    client.force_login(hq_manager)
    # Without running the task (it waits for the worker):
    response = client.post(reverse("checklists:portfolio-file-request"), {"kind": "portfolio_pdf"})
    report = ReportFile.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert "Waiting to start" in page and "Check again" in page
    status = client.get(response["Location"], HTTP_ACCEPT="application/json").json()
    assert status == {"status": "queued", "label": "Waiting to start", "download": None}
    assert (
        client.get(reverse("checklists:portfolio-file-download", args=[report.pk])).status_code
        == 404
    )
    assert client.get(reverse("checklists:portfolio-file-request")).status_code == 405


def test_unknown_report_kind_is_refused(client, hq_manager):
    client.force_login(hq_manager)
    response = client.post(
        reverse("checklists:portfolio-file-request"), {"kind": "everything"}, follow=True
    )
    assert "Choose which report to prepare." in response.content.decode()
    assert not ReportFile.objects.exists()


def test_project_page_and_pdf_draw_the_same_chart(client, endorsed_project, manager_a):
    project, _checklist = endorsed_project
    client.force_login(manager_a)
    page = client.get(reverse("checklists:project", args=[project.pk])).content.decode()
    report = build_project_report(project, language="en", generated_by=manager_a)
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart"' in page
    assert str(report["chart"]) in page  # one chart code path for the browser and the PDF
    assert ">75</text>" in page and ">100</text>" in page


def test_the_donor_filter_offers_each_donor_once(client, hq_manager, office_a):
    for n in range(6):
        make_project(office=office_a, donor="ECHO" if n % 2 else "BHA")
    client.force_login(hq_manager)
    form = client.get(reverse("checklists:dashboard")).context["form"]
    donors = [value for value, _label in form.fields["donor"].choices if value]
    assert donors == ["BHA", "ECHO"]
