"""axe-core on the office items pages (issue 30), in the four languages and at three widths:
no WCAG 2.1 A or AA violation, nothing wider than the screen."""

import pytest

from checklists import workflow
from checklists.models import Item, Phase, Principle
from projects.models import Profile, Role

from ..factories import make_office, make_user, start_project_checklist
from .conftest import pass_second_factor
from .test_accessibility import check_page, violations


def _item(office, user, code, *, critical_requested=False, **texts):
    item = Item(
        framework=workflow.start_office_draft(office=office, user=user),
        code=code,
        phase=Phase.objects.get(code="design"),
        principle=Principle.objects.get(code="access"),
        order=1,
        question_en=f"Are people without civil documents served ({code})?",
        guidance_en="Accept other proof agreed with the community.",
        critical_requested=critical_requested,
        **texts,
    )
    return workflow.save_office_item(item=item, user=user, changes={}, sectors=[])


@pytest.fixture
def office_world(transactional_db, framework):
    office = make_office(code="IRQ", name="Iraq country office")
    hq = make_office(code="HQ", name="Headquarters", is_headquarters=True)
    staff = make_user(office=office, role=Role.STAFF, username="layla", first_name="Layla")
    focal = make_user(office=office, role=Role.FOCAL_POINT, username="omar", first_name="Omar")
    make_user(office=hq, role=Role.FRAMEWORK_EDITOR, username="fatima", first_name="Fatima")
    _item(office, focal, "IRQ-01", question_fr="Les personnes sont-elles servies ?")
    _item(office, focal, "IRQ-02")
    workflow.publish_office_items(framework=workflow.office_draft(office), user=focal)
    _project, checklist = start_project_checklist(office=office, staff=staff, code="IRQ-OI-01")
    workflow.start_office_draft(office=office, user=focal)  # a draft beside the published
    draft_item = _item(office, focal, "IRQ-03", critical_requested=True)
    return {"office": office, "checklist": checklist, "draft_item": draft_item}


@pytest.mark.parametrize("width", [1366, 390, 320])
@pytest.mark.parametrize("language", ["en", "fr", "es", "ar"])
def test_office_items_pages_have_no_wcag_violations(
    browser, live_server, office_world, axe_source, language, width
):
    from django.contrib.auth.models import User

    for user in User.objects.all():
        Profile.objects.update_or_create(user=user, defaults={"language": language})
    office, item = office_world["office"], office_world["draft_item"]
    context = browser.new_context(
        base_url=live_server.url, bypass_csp=True, viewport={"width": width, "height": 800}
    )
    page = context.new_page()
    items_url = f"/offices/{office.pk}/items/"
    pages_by_user = {
        "omar": [
            "/office-items/",
            items_url,
            f"{items_url}new/",
            f"{items_url}{item.pk}/",
        ],
        "fatima": ["/office-items/", items_url],
        "layla": [f"/checklists/{office_world['checklist'].pk}/"],
    }
    for username, urls in pages_by_user.items():
        context.clear_cookies()
        page.goto("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", "pw")
        with page.expect_navigation():
            page.click("main button[type=submit]")
        if "/accounts/second-factor/" in page.url:
            pass_second_factor(page, username)
            page.wait_for_url(f"{live_server.url}/")
        assert page.locator("html").get_attribute("lang") == language
        for url in urls:
            check_page(page, url, axe_source)
        if username == "fatima":
            assert page.locator("form[action$='/agree/'] button").count() == 1
        if username == "layla":
            assert page.locator(".added-by").count() == 2
        if username == "omar":
            # The form shown again with its errors (a code without the office's prefix).
            page.goto(f"{items_url}new/")
            page.fill("#id_code", "JOR-01")
            with page.expect_navigation():
                page.click("main form button[type=submit]")
            assert page.locator(".invalid-feedback").count() > 0
            assert violations(page, axe_source) == []
            assert page.evaluate("document.documentElement.scrollWidth") <= width
    context.close()


def test_a_focal_point_adds_and_publishes_an_item_without_javascript(open_page, transactional_db):
    office = make_office(code="IRQ", name="Iraq country office")
    make_user(office=office, role=Role.FOCAL_POINT, username="omar")
    page = open_page("omar", javascript=False)
    page.click("text=Office items")
    page.click("text=Iraq country office")
    page.click("text=Add an item")
    page.fill("#id_code", "IRQ-01")
    page.select_option("#id_phase", label="Project development and design")
    page.select_option("#id_principle", label="Secure meaningful access")
    page.fill("#id_question_en", "Are people without civil documents served?")
    page.fill("#id_guidance_en", "Accept other proof agreed with the community.")
    page.click("main form button[type=submit]")
    assert "Item IRQ-01 is saved." in page.content()
    page.click("text=Publish the draft")
    assert "The office items are published" in page.content()
    assert workflow.office_published(office).items.get().code == "IRQ-01"
