"""The protection risk analysis in a browser: axe finds no WCAG 2.1 A or AA violation at
1366, 390 and 320 px in the four languages, nothing runs off the screen, each risk reads as
a card on a phone, and a risk is added and turned into an action point without JavaScript."""

import datetime

import pytest

from checklists import workflow
from checklists.models import ActionPoint, RiskRow
from projects.models import Profile, Role

from ..factories import make_user, start_project_checklist
from .test_accessibility import violations


def risk(**values) -> dict:
    base = {
        "activity": "Distribution of repair kits at the school",
        "threat": "Crowding and pushing; older people pushed away by young men.",
        "at_risk": "Older people and women alone",
        "by_age": True,
        "by_gender": True,
        "by_disability": False,
        "by_other_diversity": False,
        "vulnerability": "A long walk with no shade",
        "capacities": "Neighbours carry kits for older people",
        "likelihood": 4,
        "impact": 4,
        "mitigation": "Deliver kits to the homes of people who cannot come.",
        "owner": None,
        "review_date": datetime.date(2026, 6, 30),
    }
    return {**base, **values}


@pytest.fixture
def risk_world(framework):
    from ..factories import make_office

    office = make_office(code="IRQ", name="Iraq country office")
    staff = make_user(office=office, role=Role.STAFF, username="layla", first_name="Layla")
    focal = make_user(office=office, role=Role.FOCAL_POINT, username="omar", first_name="Omar")
    project, checklist = start_project_checklist(
        office=office, staff=staff, code="IRQ-RISK-01", title="Shelter repairs"
    )
    for answer in checklist.answers.all():
        workflow.save_answer(
            checklist=checklist,
            answer_id=answer.pk,
            user=staff,
            values=workflow.AnswerInput(response="yes"),
            based_on_version=0,
        )
    workflow.submit_checklist(checklist=checklist, user=staff)
    rows = [
        workflow.save_risk_row(project=project, user=staff, values=risk(owner=staff)),
        workflow.save_risk_row(
            project=project,
            user=focal,
            values=risk(activity="Workers in homes", likelihood=2, impact=5, by_disability=True),
        ),
        workflow.save_risk_row(
            project=project, user=staff, values=risk(activity="Posters", likelihood=1, impact=2)
        ),
    ]
    workflow.risk_row_to_action_point(row=rows[0], user=staff)
    return {"project": project, "checklist": checklist, "rows": rows}


def check(page, url, axe_source, width):
    page.goto(url)
    assert page.locator("h1").count() == 1, url
    assert violations(page, axe_source) == [], url
    assert page.evaluate("document.documentElement.scrollWidth") <= width, (url, width)


@pytest.mark.parametrize("width", [1366, 390, 320])
@pytest.mark.parametrize("language", ["en", "fr", "es", "ar"])
def test_risk_analysis_pages_have_no_wcag_violations(
    open_page, risk_world, axe_source, language, width
):
    from django.contrib.auth.models import User

    for user in User.objects.all():
        Profile.objects.update_or_create(user=user, defaults={"language": language})
    project, checklist, rows = risk_world["project"], risk_world["checklist"], risk_world["rows"]
    page = open_page("layla", language=language)
    page.set_viewport_size({"width": width, "height": 800})
    url = f"/projects/{project.pk}/risk-analysis/"
    check(page, url, axe_source, width)
    assert page.locator("html").get_attribute("lang") == language
    # Every level is written, not only coloured.
    levels = page.locator(".risk-card .risk-level").all_inner_texts()
    assert len(levels) == 3 and all(level.strip() for level in levels)
    # Each risk is a card within the screen (one column on a phone).
    boxes = [card.bounding_box() for card in page.locator(".risk-card").all()]
    assert all(box["x"] >= 0 and box["x"] + box["width"] <= width for box in boxes)
    if width < 992:
        assert len({round(box["x"]) for box in boxes}) == 1
    check(page, f"/projects/{project.pk}/risk-analysis/{rows[1].pk}/", axe_source, width)
    # The form shown again with its messages stays accessible.
    page.goto(url)
    page.click("#add-heading ~ form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#error-summary").count() == 1
    assert page.locator(".invalid-feedback").count() >= 3
    assert violations(page, axe_source) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # The review page, with the analysis beside the answers, opened.
    review = open_page("omar", language=language)
    review.set_viewport_size({"width": width, "height": 800})
    review.goto(f"/checklists/{checklist.pk}/review/")
    review.locator("#risk-analysis-heading ~ details summary").click()
    assert review.locator("#review-risk-matrix").is_visible()
    assert violations(review, axe_source) == []
    assert review.evaluate("document.documentElement.scrollWidth") <= width


def test_a_risk_is_added_and_turned_into_an_action_point_without_javascript(open_page, risk_world):
    from django.contrib.auth.models import User

    project = risk_world["project"]
    page = open_page("layla", javascript=False)
    page.goto(f"/projects/{project.pk}/risk-analysis/")
    page.fill("#id_activity", "Water point at night")
    page.fill("#id_threat", "Harassment on the way to the water point")
    page.fill("#id_at_risk", "Girls aged 10 to 17")
    page.check("#id_by_age")
    page.select_option("#id_likelihood", "3")
    page.select_option("#id_impact", "5")
    page.fill("#id_mitigation", "Light the path and move the opening hours")
    page.select_option("#id_owner", str(User.objects.get(username="layla").pk))
    page.fill("#id_review_date", "2026-07-31")
    page.click("#add-heading ~ form button[type=submit]")
    page.wait_for_load_state()
    row = RiskRow.objects.get(activity="Water point at night")
    card = page.locator(f"#risk-{row.pk}")
    assert "High" in card.inner_text()
    card.get_by_role("button", name="Turn the mitigation into an action point").click()
    page.wait_for_load_state()
    row.refresh_from_db()
    assert row.action_point is not None
    point = ActionPoint.objects.get(pk=row.action_point_id)
    assert point.description == "Light the path and move the opening hours"
    assert point.due_date.isoformat() == "2026-07-31" and point.is_complete
