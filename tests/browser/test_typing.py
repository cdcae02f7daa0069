"""No typed value is ever lost: a person who answers item after item without pausing (the
response, then at once the action point's three fields or the reason) finds every value
after a reload, on a connection slow enough that each save is still on its way when the
next change of the same answer comes.

FAST_TYPING_RUNS sets how many times each journey runs (CI: 5; the issue's check: 20).
"""

import datetime
import os

import pytest

from checklists import workflow
from checklists.models import ChecklistStatus, Response
from projects.models import Role

from ..factories import make_office, make_user, start_project_checklist
from .answers import expected_in_full, lost, shown_values, stored_values

RUNS = int(os.environ.get("FAST_TYPING_RUNS", "5"))
ITEMS = 22
# A field connection: every request waits this long before it reaches the server (each run
# its own, so that replies land at different points of the typing).
LATENCIES_MS = [20, 60, 120, 250, 0]
NO_INDEXED_DB = "Object.defineProperty(window, 'indexedDB', {value: undefined});"


@pytest.fixture
def site(transactional_db, framework):
    office = make_office(code="IRQ", name="Iraq country office")
    staff = make_user(office=office, role=Role.STAFF, username="layla", first_name="Layla")
    owner = make_user(office=office, role=Role.STAFF, username="rami", first_name="Rami")
    _project, checklist = start_project_checklist(
        office=office, staff=staff, code="IRQ-TYP-01", title="Typed quickly"
    )
    return {"checklist": checklist, "owner": owner}


def slow_connection(page, latency):
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": latency, "downloadThroughput": -1, "uploadThroughput": -1},
    )


def open_checklist(page, checklist):
    """Open the page and let it settle, as a person sees it before answering: its guidance
    shown in each item (a link becomes a disclosure when the guidance page has come)."""
    page.goto(f"/checklists/{checklist.pk}/")
    page.locator("details.guidance").first.wait_for(state="attached")


def planned_values(checklist, owner) -> dict[int, dict[str, str]]:
    """What the person types into each of the first ITEMS items: gaps with their action
    points, "not applicable" with a reason where the item allows it, some comments."""
    answers = list(checklist.answers.select_related("item").order_by("item__order")[:ITEMS])
    assert len(answers) == ITEMS
    due = datetime.date(2027, 1, 1)
    plan = {}
    for index, answer in enumerate(answers):
        values = {
            "comment": f"Said by the women's committee, visit {index}" if index % 4 == 1 else ""
        }
        if answer.item.not_applicable_allowed and index % 3 == 2:
            values |= {
                "response": Response.NOT_APPLICABLE,
                "not_applicable_reason": f"No distribution takes place in this project ({index})",
            }
        else:
            values |= {
                "response": Response.NO if index % 2 else Response.PARTIAL,
                "action_description": f"Agree safe distribution times with the committee {index}",
                "action_owner": str(owner.pk),
                "action_due": (due + datetime.timedelta(days=index)).isoformat(),
            }
        plan[answer.pk] = values
    return plan


def type_without_pausing(page, plan):
    for pk, values in plan.items():
        item = page.locator(f".answer[data-answer='{pk}']")
        item.locator(f"input[type=radio][value={values['response']}]").check()
        if values["response"] == Response.NOT_APPLICABLE:
            item.locator("textarea[name$=not_applicable_reason]").fill(
                values["not_applicable_reason"]
            )
        else:
            item.locator("textarea[name$=action_description]").fill(values["action_description"])
            item.locator("select[name$=action_owner]").select_option(values["action_owner"])
            item.locator("input[name$=action_due]").fill(values["action_due"])
        if values["comment"]:
            item.locator("details.comment summary").click()
            item.locator("textarea[name$=comment]").fill(values["comment"])


def wait_until_nothing_waits(page):
    """What the page says: every item saved, nothing waiting, nothing being typed."""
    page.wait_for_function(
        "() => !document.querySelector('.save-status.is-pending, .save-status.is-waiting,"
        " .save-status.is-error') && (document.getElementById('offline-banner') || {}).hidden"
        " !== false",
        timeout=30_000,
    )


@pytest.mark.parametrize("outbox", ["indexeddb", "direct"])
@pytest.mark.parametrize("run", range(RUNS))
def test_every_value_typed_without_pausing_is_there_after_a_reload(open_page, site, outbox, run):
    page = open_page("layla")
    if outbox == "direct":  # a browser that refuses storage: answers go straight out
        page.context.add_init_script(NO_INDEXED_DB)
    slow_connection(page, LATENCIES_MS[run % len(LATENCIES_MS)])
    checklist = site["checklist"]
    open_checklist(page, checklist)
    plan = planned_values(checklist, site["owner"])
    expected = expected_in_full(plan)

    type_without_pausing(page, plan)
    wait_until_nothing_waits(page)
    page.reload()
    page.wait_for_load_state()
    wait_until_nothing_waits(page)

    assert lost(expected, shown_values(page, plan)) == []
    assert lost(expected, stored_values(plan)) == []


@pytest.mark.parametrize("outbox", ["indexeddb", "direct"])
@pytest.mark.parametrize("leave", ["reload", "link"])
def test_a_text_still_being_typed_when_the_page_is_left_is_kept(open_page, site, outbox, leave):
    page = open_page("layla")
    if outbox == "direct":
        page.context.add_init_script(NO_INDEXED_DB)
    checklist = site["checklist"]
    url = f"/checklists/{checklist.pk}/"
    open_checklist(page, checklist)
    first = checklist.answers.order_by("item__order").first()
    item = page.locator(f".answer[data-answer='{first.pk}']")
    item.locator("input[type=radio][value=yes]").check()
    item.locator("details.comment summary").click()
    item.locator("textarea[name$=comment]").fill("Women asked for a second water point")
    if leave == "reload":  # at once: the text is not in the outbox yet
        page.reload()
    else:
        page.click("main a[href^='/projects/']")
        page.wait_for_url("**/projects/*/")
        page.goto(url)
    wait_until_nothing_waits(page)
    typed = expected_in_full(
        {first.pk: {"response": "yes", "comment": "Women asked for a second water point"}}
    )
    assert lost(typed, shown_values(page, typed)) == []
    assert lost(typed, stored_values(typed)) == []
    # Nothing of it stays on the device once it is on the server.
    assert (
        page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('pmapp-typed'))")
        == []
    )


def test_submit_right_after_typing_sends_every_value_first(open_page, site):
    checklist = site["checklist"]
    answers = list(checklist.answers.order_by("item__order"))
    for answer in answers[:-3]:
        workflow.save_answer(
            checklist=checklist,
            answer_id=answer.pk,
            user=checklist.started_by,
            values=workflow.AnswerInput(response="yes"),
            based_on_version=answer.version,
        )
    page = open_page("layla")
    slow_connection(page, 120)
    open_checklist(page, checklist)
    plan = {}
    for index, answer in enumerate(answers[-3:]):
        plan[answer.pk] = {
            "response": Response.NO,
            "action_description": f"Train the distribution team {index}",
            "action_owner": str(site["owner"].pk),
            "action_due": "2027-02-01",
        }
    type_without_pausing(page, {pk: values | {"comment": ""} for pk, values in plan.items()})
    with page.expect_navigation():
        page.click("button[name=action][value=submit]")
    checklist.refresh_from_db()
    assert checklist.status == ChecklistStatus.SUBMITTED
    assert lost(expected_in_full(plan), stored_values(plan)) == []
