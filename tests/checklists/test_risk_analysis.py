"""A project's protection risk analysis: rows saved through the workflow and audited, the
level in words, a mitigation turned into an action point, who may see and change it, the
review page, the PDF (English and Arabic), the API and the demo data."""

import datetime
import io
import re

import pypdf
import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from checklists import workflow
from checklists.models import (
    ActionPoint,
    AuditAction,
    AuditEntry,
    RiskAnalysis,
    RiskRow,
    risk_level,
    risk_matrix,
)
from checklists.reports.project import project_report_pdf
from projects.models import Project

from ..factories import make_checklist

pytestmark = pytest.mark.django_db


def row_data(**values) -> dict:
    data = {
        "activity": "Distribution of kits",
        "threat": "Crowding and pushing at the site",
        "at_risk": "Older women",
        "by_age": "on",
        "by_gender": "on",
        "vulnerability": "Long walk",
        "capacities": "Neighbours help",
        "likelihood": "3",
        "impact": "4",
        "mitigation": "Deliver kits to homes",
        "owner": "",
        "review_date": "2026-06-30",
    }
    data.update(values)
    return {k: v for k, v in data.items() if v is not None}


def values(**overrides) -> dict:
    base = {
        "activity": "Distribution of kits",
        "threat": "Crowding",
        "at_risk": "Older women",
        "by_age": True,
        "by_gender": True,
        "by_disability": False,
        "by_other_diversity": False,
        "vulnerability": "",
        "capacities": "",
        "likelihood": 3,
        "impact": 4,
        "mitigation": "Deliver kits to homes",
        "owner": None,
        "review_date": datetime.date(2026, 6, 30),
    }
    return {**base, **overrides}


def page_url(project):
    return reverse("checklists:risk-analysis", kwargs={"project_pk": project.pk})


def row_url(name, row):
    return reverse(name, kwargs={"project_pk": row.analysis.project_id, "pk": row.pk})


@pytest.fixture
def row(project_a, staff_a):
    return workflow.save_risk_row(
        project=project_a, user=staff_a, values=values(owner=staff_a, activity="Kits at site")
    )


# --- The level rule ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("likelihood", "impact", "code", "word"),
    [
        (1, 1, "low", "Low"),
        (2, 2, "low", "Low"),
        (1, 5, "medium", "Medium"),
        (3, 3, "medium", "Medium"),
        (2, 5, "high", "High"),
        (4, 4, "high", "High"),
        (4, 5, "very_high", "Very high"),
        (5, 5, "very_high", "Very high"),
    ],
)
def test_the_level_is_likelihood_times_impact_in_words(likelihood, impact, code, word):
    level = risk_level(likelihood, impact)
    assert (level.code, str(level.label)) == (code, word)


def test_the_heat_map_counts_rows_per_cell(project_a, staff_a):
    for likelihood, impact in [(3, 4), (3, 4), (5, 5)]:
        workflow.save_risk_row(
            project=project_a, user=staff_a, values=values(likelihood=likelihood, impact=impact)
        )
    matrix = risk_matrix(RiskRow.objects.all())
    assert [line["impact"] for line in matrix] == [5, 4, 3, 2, 1]
    impact_4 = matrix[1]["cells"]
    assert impact_4[2]["count"] == 2 and impact_4[2]["level"].code == "high"
    assert matrix[0]["cells"][4]["count"] == 1
    assert sum(cell["count"] for line in matrix for cell in line["cells"]) == 3


# --- Saving rows -------------------------------------------------------------------------


def test_staff_adds_a_row_on_the_page(client, project_a, staff_a):
    client.force_login(staff_a)
    response = client.post(page_url(project_a), row_data(owner=str(staff_a.pk)))
    assert response.status_code == 302
    row = RiskRow.objects.get()
    assert row.analysis.project == project_a
    assert (row.likelihood, row.impact, row.owner, row.by_age, row.by_disability) == (
        3,
        4,
        staff_a,
        True,
        False,
    )
    page = client.get(page_url(project_a)).content.decode()
    assert "Distribution of kits" in page
    assert "High" in page and "likelihood 3 × impact 4 = 12" in page


def test_a_focal_point_may_add_a_row(client, project_a, focal_a):
    client.force_login(focal_a)
    assert client.post(page_url(project_a), row_data()).status_code == 302
    assert RiskRow.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("activity", "", "Say which activity the risk comes with."),
        ("threat", "", "Say what harm could happen, and from whom."),
        ("at_risk", "", "Say who is at risk."),
        ("likelihood", "", "Choose a number from 1 to 5."),
        ("likelihood", "6", "Select a valid choice."),
        ("impact", "0", "Select a valid choice."),
        ("impact", "x", "Select a valid choice."),
        ("review_date", "1999-01-01", "Enter a due date between 2000 and 2100."),
    ],
)
def test_bad_input_gets_a_message_and_keeps_what_was_typed(
    client, project_a, staff_a, field, value, message
):
    client.force_login(staff_a)
    response = client.post(page_url(project_a), row_data(**{field: value}))
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "The risk was not saved" in page
    assert "Long walk" in page  # what was typed is kept
    assert not RiskRow.objects.exists()


def test_an_owner_of_another_office_is_refused(client, project_a, staff_a, outsider_b):
    client.force_login(staff_a)
    response = client.post(page_url(project_a), row_data(owner=str(outsider_b.pk)))
    assert response.status_code == 400
    assert not RiskRow.objects.exists()


def test_the_database_refuses_a_likelihood_or_impact_outside_1_to_5(row):
    for field in ("likelihood", "impact"):
        for bad in (0, 6):
            with pytest.raises(IntegrityError), transaction.atomic():
                RiskRow.objects.filter(pk=row.pk).update(**{field: bad})


def test_editing_a_row_is_audited_with_old_and_new_values(client, row, staff_a):
    client.force_login(staff_a)
    assert client.get(row_url("checklists:risk-row", row)).status_code == 200
    response = client.post(
        row_url("checklists:risk-row", row),
        row_data(activity="Kits at site", likelihood="5", impact="5", owner=str(staff_a.pk)),
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.level.code == "very_high"
    added, changed = AuditEntry.objects.order_by("pk")
    assert added.action == AuditAction.RISK_ADDED and added.changes["owner"] == [None, "staff_a"]
    assert changed.action == AuditAction.RISK_CHANGED
    assert changed.changes["likelihood"] == [3, 5] and changed.changes["impact"] == [4, 5]
    assert "activity" not in changed.changes
    history = client.get(reverse("checklists:project-history", args=[row.analysis.project_id]))
    assert "Risk of the risk analysis changed" in history.content.decode()


def test_removing_a_row_is_audited(client, row, staff_a):
    client.force_login(staff_a)
    assert client.get(row_url("checklists:risk-row-remove", row)).status_code == 405
    assert client.post(row_url("checklists:risk-row-remove", row)).status_code == 302
    assert not RiskRow.objects.exists()
    entry = AuditEntry.objects.get(action=AuditAction.RISK_REMOVED)
    assert entry.changes["activity"] == ["Kits at site", None]


# --- A mitigation turned into an action point ---------------------------------------------


def test_a_risk_row_turned_into_an_action_point(client, row, staff_a, project_a):
    client.force_login(staff_a)
    response = client.post(row_url("checklists:risk-row-action-point", row))
    assert response.status_code == 302
    row.refresh_from_db()
    point = row.action_point
    assert point is not None
    assert (point.project, point.description, point.owner, point.due_date) == (
        project_a,
        "Deliver kits to homes",
        staff_a,
        datetime.date(2026, 6, 30),
    )
    assert point.is_complete and point.answer is None and point.review is None
    entry = AuditEntry.objects.get(action=AuditAction.RISK_ACTION_POINT)
    assert entry.changes["action_description"] == [None, "Deliver kits to homes"]
    # Listed with the project's action points, said to come from the risk analysis.
    listed = client.get(reverse("checklists:action-points", args=[project_a.pk])).content.decode()
    assert "Deliver kits to homes" in listed and "Protection risk analysis" in listed
    # The page links to it and no longer offers the button.
    page = client.get(page_url(project_a)).content.decode()
    assert f"#action-point-{point.pk}" in page
    assert "Turn the mitigation into an action point" not in page
    # A second time is refused with a message, not a second action point.
    again = client.post(row_url("checklists:risk-row-action-point", row), follow=True)
    assert "This mitigation is already an action point." in again.content.decode()
    assert ActionPoint.objects.count() == 1


def test_a_row_without_owner_or_review_date_is_refused_clearly(client, project_a, staff_a):
    for missing in ({"owner": None}, {"owner": staff_a, "review_date": None}):
        row = workflow.save_risk_row(project=project_a, user=staff_a, values=values(**missing))
        client.force_login(staff_a)
        response = client.post(row_url("checklists:risk-row-action-point", row), follow=True)
        assert response.status_code == 200
        assert "Give the risk an owner and a review date first" in response.content.decode()
    assert not ActionPoint.objects.exists()


def test_a_row_without_mitigation_is_refused_clearly(client, project_a, staff_a):
    row = workflow.save_risk_row(
        project=project_a, user=staff_a, values=values(mitigation="", owner=staff_a)
    )
    client.force_login(staff_a)
    response = client.post(row_url("checklists:risk-row-action-point", row), follow=True)
    assert response.status_code == 200
    assert "Say what the project will do (the mitigation) first." in response.content.decode()
    assert not ActionPoint.objects.exists()


# --- Who may see and change it -------------------------------------------------------------


def test_a_user_of_another_office_gets_404_on_every_new_page(client, row, outsider_b, project_a):
    client.force_login(outsider_b)
    pages = [
        page_url(project_a),
        row_url("checklists:risk-row", row),
        reverse("api:project-risk-analysis", args=[project_a.pk]),
    ]
    actions = [
        row_url("checklists:risk-row-remove", row),
        row_url("checklists:risk-row-action-point", row),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Kits at site" not in response.content.decode()
    for url in pages[:2] + actions:
        assert client.post(url, row_data()).status_code == 404, url
    assert RiskRow.objects.count() == 1 and not ActionPoint.objects.exists()


def test_a_row_of_another_project_is_404_through_this_project(client, row, staff_a, office_a):
    from ..factories import make_project

    other = make_project(office=office_a)
    client.force_login(staff_a)
    url = reverse("checklists:risk-row", kwargs={"project_pk": other.pk, "pk": row.pk})
    assert client.get(url).status_code == 404


def test_a_manager_reads_but_may_not_change(client, row, manager_a, project_a):
    client.force_login(manager_a)
    page = client.get(page_url(project_a))
    assert page.status_code == 200
    assert "Kits at site" in page.content.decode()
    assert "Add a risk" not in page.content.decode()
    assert client.post(page_url(project_a), row_data()).status_code == 403
    assert client.get(row_url("checklists:risk-row", row)).status_code == 403
    assert client.post(row_url("checklists:risk-row-remove", row)).status_code == 403
    assert client.post(row_url("checklists:risk-row-action-point", row)).status_code == 403
    assert RiskRow.objects.count() == 1 and not ActionPoint.objects.exists()


def test_an_archived_projects_analysis_is_read_only(client, row, staff_a, project_a):
    Project.objects.filter(pk=project_a.pk).update(archived=True)
    client.force_login(staff_a)
    page = client.get(page_url(project_a)).content.decode()
    assert "its risk analysis can no longer change" in page
    assert "Add a risk" not in page
    assert client.post(page_url(project_a), row_data()).status_code == 403
    assert client.post(row_url("checklists:risk-row-action-point", row)).status_code == 403
    with pytest.raises(workflow.WorkflowError):
        workflow.save_risk_row(project=project_a, user=staff_a, values=values())
    assert RiskRow.objects.count() == 1


# --- Where it shows ------------------------------------------------------------------------


def test_the_project_page_and_des_saf_01_link_to_it(client, project_a, staff_a):
    from checklists.models import Item

    checklist = make_checklist(project=project_a, user=staff_a, item_count=2)
    Item.objects.filter(pk=checklist.answers.first().item_id).update(code="DES-SAF-01")
    client.force_login(staff_a)
    project_page = client.get(reverse("checklists:project", args=[project_a.pk]))
    assert page_url(project_a) in project_page.content.decode()
    checklist_page = client.get(reverse("checklists:detail", args=[checklist.pk])).content.decode()
    assert checklist_page.count(f'href="{page_url(project_a)}"') == 1


def test_the_review_page_shows_the_analysis_read_only(client, row, staff_a, focal_a, project_a):
    checklist = make_checklist(project=project_a, user=staff_a, item_count=1)
    type(checklist).objects.filter(pk=checklist.pk).update(status="submitted")
    client.force_login(focal_a)
    page = client.get(reverse("checklists:review", args=[checklist.pk])).content.decode()
    assert "Protection risk analysis" in page and "Kits at site" in page
    assert "Turn the mitigation into an action point" not in page


def test_the_page_runs_as_many_queries_for_2_rows_as_for_8(client, project_a, staff_a, query_count):
    client.force_login(staff_a)
    for _ in range(2):
        workflow.save_risk_row(project=project_a, user=staff_a, values=values(owner=staff_a))
    workflow.risk_row_to_action_point(row=RiskRow.objects.first(), user=staff_a)
    small, response = query_count(lambda: client.get(page_url(project_a)))
    assert response.status_code == 200
    for _ in range(6):
        workflow.save_risk_row(project=project_a, user=staff_a, values=values(owner=staff_a))
    workflow.risk_row_to_action_point(row=RiskRow.objects.last(), user=staff_a)
    large, response = query_count(lambda: client.get(page_url(project_a)))
    assert response.content.decode().count('class="card risk-card"') == 8
    assert small == large


# --- The PDF and the API -------------------------------------------------------------------


def pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_the_project_pdf_has_the_risk_analysis_in_english(row, project_a, staff_a):
    workflow.save_risk_row(
        project=project_a, user=staff_a, values=values(activity="Night patrols", likelihood=5)
    )
    text = pdf_text(project_report_pdf(project_a, language="en", generated_by=staff_a))
    assert "Protection risk analysis" in text
    assert "Kits at site" in text and "Night patrols" in text
    assert "Risks by likelihood and impact" in text
    assert "Very high" in text and "High (3 × 4)" in text and "Medium" in text
    assert "Deliver kits to homes" in text


def test_the_project_pdf_has_the_risk_analysis_in_arabic(row, project_a, staff_a):
    text = pdf_text(project_report_pdf(project_a, language="ar", generated_by=staff_a))
    assert "تحليل مخاطر الحماية" in text
    assert "Kits at site" in text
    assert "مرتفع" in text  # the level, in words


def test_the_project_pdf_says_when_there_is_no_risk_analysis(project_a, staff_a):
    text = pdf_text(project_report_pdf(project_a, language="en", generated_by=staff_a))
    assert "Protection risk analysis The project has no risk analysis yet." in text


def test_the_history_page_reads_a_changed_risk_in_words(client, row, staff_a, project_a):
    values_now = values(owner=staff_a, activity="Kits at site", by_disability=True)
    workflow.save_risk_row(project=project_a, user=staff_a, values=values_now, row=row)
    client.force_login(staff_a)
    page = client.get(reverse("checklists:project-history", args=[project_a.pk])).content.decode()
    assert "Risk added to the risk analysis" in page and "Disability" in page
    assert "June 30, 2026" in page  # the review date, as a date


def test_the_api_returns_the_risk_analysis(client, row, manager_a, project_a, staff_a):
    point = workflow.risk_row_to_action_point(row=row, user=staff_a)
    client.force_login(manager_a)
    response = client.get(reverse("api:project-risk-analysis", args=[project_a.pk]))
    assert response.status_code == 200
    data = response.json()
    assert data["project_code"] == project_a.code
    [api_row] = data["rows"]
    assert api_row["activity"] == "Kits at site"
    assert (api_row["score"], api_row["level"], api_row["level_label"]) == (12, "high", "High")
    assert api_row["action_point"] == point.pk
    assert api_row["by_age"] is True and api_row["by_disability"] is False


def test_the_api_gives_an_empty_analysis_for_a_project_without_one(client, project_a, staff_a):
    client.force_login(staff_a)
    response = client.get(reverse("api:project-risk-analysis", args=[project_a.pk]))
    assert response.json()["rows"] == []
    assert not RiskAnalysis.objects.exists()


# --- Demo data -----------------------------------------------------------------------------


def test_the_demo_design_project_has_five_risks_one_an_action_point():
    call_command("load_demo_data", allow_production=True, stdout=io.StringIO())
    call_command("load_demo_data", allow_production=True, stdout=io.StringIO())  # safe to run again
    project = Project.objects.get(code="IRQ-SHL-2026-01")
    rows = RiskRow.objects.filter(analysis__project=project)
    assert rows.count() == 5
    assert rows.filter(action_point__isnull=False).count() == 1
