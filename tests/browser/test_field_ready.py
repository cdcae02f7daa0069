"""The field-ready checklist and review pages, in a real browser, on a laptop and on phones."""

import pytest

from checklists.models import Answer, ChecklistStatus
from projects.models import Profile, Role

from ..factories import answer_everything, make_office, make_user, start_project_checklist
from .answers import expected_in_full, lost, shown_values, stored_values


@pytest.fixture
def field(transactional_db, framework):
    office = make_office(code="IRQ", name="Iraq country office")
    staff = make_user(office=office, role=Role.STAFF, username="layla", first_name="Layla")
    make_user(office=office, role=Role.FOCAL_POINT, username="omar", first_name="Omar")
    project, checklist = start_project_checklist(
        office=office, staff=staff, code="IRQ-FLD-01", title="Field-ready shelter"
    )
    return {"staff": staff, "project": project, "checklist": checklist}


def submitted(field):
    return answer_everything(field["checklist"], field["staff"])


def on_one_row(boxes) -> bool:
    """Each box starts above the bottom of every other: they share a line."""
    return all(
        a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"]
        for a in boxes
        for b in boxes
    )


def no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


@pytest.mark.parametrize("width", [1280, 390, 320])
def test_the_compact_checklist_opens_what_an_answer_needs(open_page, field, width):
    page = open_page("layla")
    page.set_viewport_size({"width": width, "height": 800})
    checklist = field["checklist"]
    page.goto(f"/checklists/{checklist.pk}/")
    assert no_sideways_scroll(page)
    first = page.locator(".answer").first
    # One block per item: no empty comment box, no action point until it is needed.
    assert not first.locator("textarea[name$=comment]").is_visible()
    assert first.locator(".action-point").count() == 0
    # Responses are large touch targets.
    for box in [r.bounding_box() for r in first.locator(".responses label").all()]:
        assert box["height"] >= 44 and box["width"] >= 44
    # "Partially" opens the action point; filling it saves it.
    first.locator("input[value=partial]").check()
    first.locator("textarea[name$=action_description]").fill("Consult women's groups")
    first.locator("select[name$=action_owner]").select_option(index=1)
    first.locator("input[name$=action_due]").fill("2027-01-15")
    first.locator("input[name$=action_due]").press("Tab")
    page.wait_for_function("() => !document.querySelector('.save-status.is-pending')")
    answer = Answer.objects.get(pk=first.get_attribute("data-answer"))
    assert answer.response == "partial"
    assert answer.action_point.description == "Consult women's groups"
    # A comment opens on demand and stays open once written.
    first.locator("details.comment summary").click()
    first.locator("textarea[name$=comment]").fill("Two sites of three")
    first.locator("textarea[name$=comment]").press("Tab")
    page.wait_for_function("() => !document.querySelector('.save-status.is-pending')")
    page.reload()
    assert page.locator(".answer").first.locator("textarea[name$=comment]").is_visible()
    typed = {
        answer.pk: {
            "response": "partial",
            "comment": "Two sites of three",
            "action_description": "Consult women's groups",
            "action_owner": str(answer.action_point.owner_id),
            "action_due": "2027-01-15",
        }
    }
    assert lost(expected_in_full(typed), shown_values(page, typed)) == []
    assert lost(expected_in_full(typed), stored_values(typed)) == []
    # The progress summary stays in view while scrolling to the last item.
    page.locator(".answer").last.scroll_into_view_if_needed()
    assert page.locator("#progress-text").is_visible()
    assert "1 of" in page.locator("#progress-text").inner_text()
    # "Next unanswered" jumps to an unanswered item.
    page.click("#next-unanswered")
    focused = page.evaluate("document.activeElement.closest('.answer').dataset.state")
    assert focused == "unanswered"
    # Save and Submit stay on one row.
    buttons = [b.bounding_box() for b in page.locator(".action-bar .btn").all()]
    assert on_one_row(buttons), buttons
    assert no_sideways_scroll(page)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_action_bar_is_one_row_at_320_px(open_page, field, language):
    Profile.objects.create(user=field["staff"], language=language)
    page = open_page("layla", language=language)
    page.set_viewport_size({"width": 320, "height": 700})
    page.goto(f"/checklists/{field['checklist'].pk}/")
    buttons = [b.bounding_box() for b in page.locator(".action-bar .btn").all()]
    assert len(buttons) == 2 and on_one_row(buttons), buttons
    assert no_sideways_scroll(page)


@pytest.mark.parametrize("width", [1280, 390, 320])
def test_the_review_decision_is_reached_from_the_top(open_page, field, width):
    checklist = submitted(field)
    page = open_page("omar")
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"/checklists/{checklist.pk}/review/")
    assert no_sideways_scroll(page)
    # Conditions show only with "approved with conditions".
    assert not page.locator("textarea[name='condition-0-description']").is_visible()
    # From the middle of the page, the decision is one step away.
    page.locator(".answer").nth(5).scroll_into_view_if_needed()
    page.click("#to-decision")
    page.check("input[name=decision][value=approved_with_conditions]")
    assert page.locator("textarea[name='condition-0-description']").is_visible()
    page.fill("textarea[name='condition-0-description']", "Budget the feedback desk")
    page.select_option("select[name='condition-0-owner']", index=1)
    page.fill("input[name='condition-0-due_date']", "2027-02-01")
    with page.expect_navigation():
        page.click("#decision button[type=submit]")
    checklist.refresh_from_db()
    assert checklist.status == ChecklistStatus.APPROVED
    # The project page says how it was approved.
    assert "Approved with conditions" in page.locator("#checklists-table").inner_text()


@pytest.mark.parametrize("width", [390, 320])
def test_the_header_collapses_into_a_menu_on_phones(open_page, field, width):
    page = open_page("layla")
    page.set_viewport_size({"width": width, "height": 700})
    page.goto("/")
    assert page.locator("#menu-button").is_visible()
    assert not page.locator("#site-menu").is_visible()
    page.click("#menu-button")
    assert page.locator("#site-menu a", has_text="Guidance").is_visible()
    assert page.get_attribute("#menu-button", "aria-expanded") == "true"
    assert no_sideways_scroll(page)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_guidance_opens_in_the_item_from_the_keyboard(open_page, field, language):
    """The page carries a link per item; its script fetches the checklist's guidance once
    and shows each text in its item, as a disclosure (no page is left)."""
    Profile.objects.create(user=field["staff"], language=language)
    page = open_page("layla", language=language)
    checklist = field["checklist"]
    page.goto(f"/checklists/{checklist.pk}/")
    answer = checklist.answers.order_by("item__order").select_related("item").first()
    item = page.locator(f"#item-{answer.item.code}")
    disclosure = item.locator("details.guidance")
    disclosure.wait_for(state="attached")
    assert item.locator("a.guidance-link").count() == 0
    text = disclosure.locator(".guidance-text")
    assert not text.is_visible()
    disclosure.locator("summary").focus()
    page.keyboard.press("Enter")
    text.wait_for(state="visible")
    guidance = getattr(answer.item, f"guidance_{language}")
    assert text.inner_text().startswith(guidance[:60])
    source = getattr(answer.item, f"source_{language}")
    if source:
        assert source in text.locator("cite").inner_text()
    assert page.url.endswith(f"/checklists/{checklist.pk}/")
    assert page.locator(".answer details.guidance").count() == page.locator(".answer").count()
    # Each principle's good practices open under its heading, the same way.
    practices = page.locator("#principle-safety ~ details.good-practices")
    assert practices.count() == 1 and page.locator("a.good-practices-link").count() == 0
    practices.locator("summary").click()
    assert "Nigeria" in practices.locator(".good-practices-list").inner_text()


def test_without_javascript_guidance_is_a_link_to_its_text(open_page, field):
    checklist = field["checklist"]
    answer = checklist.answers.order_by("item__order").select_related("item").first()
    page = open_page("layla", javascript=False)
    page.goto(f"/checklists/{checklist.pk}/")
    page.locator(f"#item-{answer.item.code}").get_by_role("link", name="Guidance").click()
    page.wait_for_url(f"**/checklists/{checklist.pk}/guidance/#g-{answer.item.code}")
    section = page.locator(f"#g-{answer.item.code}")
    assert answer.item.guidance_en[:60] in section.inner_text()
    assert page.locator("h1").inner_text().startswith("Guidance: ")
    section.get_by_role("link", name=f"Back to item {answer.item.code}").click()
    page.wait_for_url(f"**/checklists/{checklist.pk}/#item-{answer.item.code}")


def test_next_to_complete_and_the_server_agree_on_a_critical_item_said_not_to_apply(
    open_page, field
):
    """A critical item answered "not applicable" needs a reason of five words: the page's
    "Next to complete" says so before the server refuses the submission."""
    from checklists import workflow
    from checklists.models import Item

    from ..factories import make_checklist, make_framework_items, make_project

    _framework, items = make_framework_items(4, critical_every=4)  # the first is critical
    assert items[0].critical and items[0].not_applicable_allowed
    project = make_project(office=field["project"].office, code="IRQ-FLD-02")
    checklist = make_checklist(project=project, user=field["staff"], items=items)
    critical = checklist.answers.get(item=items[0])
    for answer in checklist.answers.exclude(pk=critical.pk):
        workflow.save_answer(
            checklist=checklist,
            answer_id=answer.pk,
            user=field["staff"],
            values=workflow.AnswerInput(response="yes"),
            based_on_version=0,
        )
    page = open_page("layla")
    page.goto(f"/checklists/{checklist.pk}/")
    item = page.locator(f".answer[data-answer='{critical.pk}']")
    item.locator("input[value=na]").check()
    reason = item.locator("textarea[name$=not_applicable_reason]")
    reason.fill("No cash given here")  # four words
    reason.press("Tab")
    page.wait_for_function("() => !document.querySelector('.save-status.is-pending')")
    assert item.get_attribute("data-state") == "blocking"
    assert page.locator("#next-blocking").get_attribute("href") == f"#{item.get_attribute('id')}"
    critical.refresh_from_db()
    blockers = workflow.submission_blockers(
        checklist.answers.select_related("item", "action_point")
    )
    assert [b.answer.pk for b in blockers] == [critical.pk]  # the server says the same
    reason.fill("No cash is given in this project")  # a sentence
    reason.press("Tab")
    page.wait_for_function("() => !document.querySelector('.save-status.is-pending')")
    assert item.get_attribute("data-state") == "ready"
    assert page.locator("#next-blocking").is_hidden()
    assert (
        workflow.submission_blockers(checklist.answers.select_related("item", "action_point")) == []
    )
    assert Item.objects.get(pk=items[0].pk).critical
