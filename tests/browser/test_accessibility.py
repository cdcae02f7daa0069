"""axe-core on every main page, in both languages: no WCAG 2.1 A or AA violation."""

import datetime

import pytest

from checklists import workflow
from checklists.models import ActionPoint
from projects.models import Profile, Role, Sector

from ..factories import make_office, make_user, start_project_checklist
from .conftest import pass_second_factor

WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture
def world(transactional_db, framework):
    office = make_office(code="IRQ", name="Iraq country office")
    hq = make_office(code="HQ", name="Headquarters", is_headquarters=True)
    staff = make_user(office=office, role=Role.STAFF, username="layla", first_name="Layla")
    omar = make_user(office=office, role=Role.FOCAL_POINT, username="omar", first_name="Omar")
    from checklists.models import ActingAssignment

    ActingAssignment.objects.create(  # a line on the acting focal points page
        focal_point=omar,
        acting=make_user(office=office, role=Role.STAFF, username="sara", first_name="Sara"),
        office=office,
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2099, 1, 1),
    )
    make_user(office=hq, role=Role.MANAGER, username="ana", first_name="Ana")
    make_user(office=hq, role=Role.FRAMEWORK_EDITOR, username="fatima", first_name="Fatima")
    project, checklist = start_project_checklist(
        office=office, staff=staff, code="IRQ-A11Y-01", title="Accessible shelter", donor="ECHO"
    )
    for index, answer in enumerate(checklist.answers.all()):
        values = workflow.AnswerInput(response="yes")
        if index == 0:
            values = workflow.AnswerInput(
                response="partial",
                comment="Half",
                action_description="Finish",
                action_owner=staff,
                action_due=datetime.date(2026, 1, 31),
            )
        workflow.save_answer(
            checklist=checklist, answer_id=answer.pk, user=staff, values=values, based_on_version=0
        )
    workflow.submit_checklist(checklist=checklist, user=staff)
    _draft_project, draft = start_project_checklist(
        office=office,
        staff=staff,
        code="IRQ-A11Y-02",
        title="Draft project",
        sectors=list(Sector.objects.filter(pk=2)),
    )
    ActionPoint.objects.create(
        project=project, description="Condition", owner=staff, due_date=datetime.date(2026, 2, 1)
    )
    framework_draft = workflow.start_new_framework_version(framework=workflow.current_framework())
    from django.core.files.uploadedfile import SimpleUploadedFile

    evidence_answer = draft.answers.first()
    first = workflow.attach_evidence(
        checklist=draft,
        answer_id=evidence_answer.pk,
        user=staff,
        upload=SimpleUploadedFile("consultation-minutes.pdf", b"%PDF-1.7 minutes"),
    )
    workflow.attach_evidence(  # a new version, so that the earlier files show too
        checklist=draft,
        answer_id=evidence_answer.pk,
        user=staff,
        upload=SimpleUploadedFile("consultation-minutes-signed.pdf", b"%PDF-1.7 signed"),
        replaces_id=first.pk,
    )
    from checklists.models import AccessKind, AccessLogEntry

    AccessLogEntry.objects.create(  # a line in the project's access log
        user=staff, kind=AccessKind.PROJECT_REPORT, what="report.pdf", project=project
    )
    return {
        "evidence_answer": evidence_answer,
        "project": project,
        "checklist": checklist,
        "draft": draft,
        "framework_draft": framework_draft,
    }


def violations(page, axe_source):
    # Bootstrap's buttons fade their colours for 0.15 s when the pointer leaves them (after
    # a click, or when the page's layout moves under it): axe checks the colours people
    # read once the pointer is away and the fades have ended, not halfway through.
    page.mouse.move(0, 0)
    page.evaluate(
        "() => new Promise((frame) => requestAnimationFrame(() => requestAnimationFrame(frame)))"
        ".then(() => Promise.all(document.getAnimations().map((a) => a.finished)))"
    )
    page.evaluate(axe_source)
    result = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
        ".violations",
        WCAG,
    )
    return [(v["id"], v["impact"], [node["target"] for node in v["nodes"]][:3]) for v in result]


def check_page(page, url, axe_source):
    page.goto(url)
    assert page.locator("h1").count() == 1, url
    assert page.locator("main#main").count() == 1 and page.locator("a[href='#main']").count() == 1
    assert page.locator("nav").count() >= 1 or url.startswith("/accounts/login")
    found = violations(page, axe_source)
    assert found == [], (url, found)
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, (url, width)


@pytest.mark.parametrize("width", [1280, 390, 320])
@pytest.mark.parametrize("language", ["en", "fr", "es", "ar"])
def test_main_pages_have_no_wcag_violations(
    browser, live_server, world, axe_source, language, width
):
    from django.contrib.auth.models import User

    for user in User.objects.all():
        Profile.objects.update_or_create(user=user, defaults={"language": language})
    context = browser.new_context(
        base_url=live_server.url, bypass_csp=True, viewport={"width": width, "height": 800}
    )
    page = context.new_page()
    page.goto("/accounts/login/")
    if language != "en":
        if page.is_visible("#menu-button"):
            page.click("#menu-button")
        page.select_option("#language-select", language)
        with page.expect_navigation():
            page.click("#language-submit")
    check_page(page, "/accounts/login/", axe_source)
    project, checklist, draft = world["project"], world["checklist"], world["draft"]
    pages_by_user = {
        "layla": [
            "/",
            "/projects/new/",
            f"/projects/{project.pk}/",
            f"/projects/{project.pk}/edit/",
            f"/checklists/{draft.pk}/",
            f"/checklists/{checklist.pk}/",
            f"/projects/{project.pk}/action-points/",
            f"/checklists/{checklist.pk}/history/",
            f"/projects/{project.pk}/history/",
            "/guidance/",
            f"/checklists/{draft.pk}/guidance/",
            "/accounts/password/",
            "/settings/tokens/",
            "/settings/two-step/",
            "/settings/sessions/",
            f"/checklists/{draft.pk}/answers/{world['evidence_answer'].pk}/evidence/",
        ],
        "omar": [
            "/",
            f"/checklists/{checklist.pk}/review/",
            f"/projects/{project.pk}/access/",
            "/acting/",
            f"/checklists/{draft.pk}/answers/{world['evidence_answer'].pk}/evidence/",
        ],
        "ana": ["/portfolio/"],
        "fatima": [
            "/frameworks/",
            f"/frameworks/{world['framework_draft'].pk}/",
            f"/frameworks/{world['framework_draft'].pk}/compare/",
            f"/frameworks/{world['framework_draft'].pk}/items/"
            f"{world['framework_draft'].items.first().pk}/",
        ],
    }
    for username, urls in pages_by_user.items():
        context.clear_cookies()
        page.goto("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", "pw")
        with page.expect_navigation():
            page.click("main button[type=submit]")
        if "/accounts/second-factor/" in page.url:  # HQ-wide roles: a code from the app
            assert violations(page, axe_source) == []
            pass_second_factor(page, username)
            page.wait_for_url(f"{live_server.url}/")
        assert page.locator("html").get_attribute("lang") == language
        for url in urls:
            check_page(page, url, axe_source)
    # A form shown again with errors keeps its labels and messages accessible.
    context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("#id_username", "layla")
    page.fill("#id_password", "pw")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    page.goto("/projects/new/")
    page.fill("#id_end_date", "2020-01-01")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.locator(".invalid-feedback, .text-danger").count() > 0
    assert violations(page, axe_source) == []
    # A new API token: its secret shown once, readable and within the screen.
    page.goto("/settings/tokens/")
    page.fill("#id_name", "Power BI")
    page.fill("#id_password", "pw")  # typed again
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.locator("#new-token-value").input_value().startswith("pmat_")
    assert violations(page, axe_source) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # An item's guidance, shown in the item by the page's script, open.
    page.goto(f"/checklists/{draft.pk}/")
    page.locator("details.guidance summary").first.click()
    page.locator("details.guidance[open] .guidance-text").first.wait_for(state="visible")
    assert violations(page, axe_source) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    context.close()


def test_ratings_carry_words_as_well_as_colour(open_page, world):
    page = open_page("layla")
    page.goto(f"/projects/{world['project'].pk}/")
    labels = page.locator(".rating .rating-label").all_inner_texts()
    assert labels and all(label.strip() for label in labels)
