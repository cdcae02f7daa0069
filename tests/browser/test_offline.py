"""Filling a checklist without a connection, in a real browser: answers wait on the device
across reloads and closed tabs, go in order when the connection returns, never overwrite
someone else's change, and are never stored twice."""

import datetime
import re

import pytest

from checklists import workflow
from checklists.models import Answer, AuditAction, AuditEntry
from projects.models import Profile, Role

from ..factories import make_office, make_user, start_project_checklist
from .answers import expected_in_full, lost, shown_values, stored_values
from .test_accessibility import violations

WAITING = {"en": "Offline: 5 answers waiting", "fr": "Hors ligne : 5 réponses en attente"}
KEPT = {"en": "Waiting to be sent", "fr": "En attente d'envoi"}


@pytest.fixture
def site(transactional_db, framework):
    office = make_office(code="IRQ", name="Iraq country office")
    staff = make_user(office=office, role=Role.STAFF, username="layla", first_name="Layla")
    colleague = make_user(office=office, role=Role.STAFF, username="rami", first_name="Rami")
    _project, checklist = start_project_checklist(
        office=office, staff=staff, code="IRQ-OFF-01", title="Offline shelter"
    )
    return {"staff": staff, "colleague": colleague, "checklist": checklist}


def open_checklist(open_page, site, language):
    Profile.objects.create(user=site["staff"], language=language)
    page = open_page("layla", language=language)
    url = f"/checklists/{site['checklist'].pk}/"
    page.goto(url)
    # The service worker takes over, then keeps the page and its files on this visit.
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.reload()
    page.wait_for_load_state()
    return page, url


def first_five(site):
    return list(site["checklist"].answers.order_by("item__order")[:5])


def answer_yes(page, answers):
    for answer in answers:
        page.locator(f".answer[data-answer='{answer.pk}'] input[value=yes]").check()


def answer_five_offline(page, answers, language):
    """Without a connection, answer five items "yes"; the page says all five wait."""
    assert len(answers) == 5
    page.context.set_offline(True)
    answer_yes(page, answers)
    page.wait_for_function(
        "(text) => document.getElementById('offline-banner').textContent.includes(text)",
        arg=WAITING[language],
    )


def wait_until_sent(page):
    page.wait_for_function("() => document.getElementById('offline-banner').hidden")
    page.wait_for_function(
        "() => !document.querySelector('.save-status.is-pending, .save-status.is-waiting')"
    )


def changes_of(answers):
    return AuditEntry.objects.filter(answer__in=answers, action=AuditAction.ANSWER_CHANGED).count()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_answers_given_offline_survive_reloads_and_closed_tabs_then_go(
    open_page, site, language, axe_source
):
    page, url = open_checklist(open_page, site, language)
    context = page.context
    answers = first_five(site)

    answer_five_offline(page, answers, language)
    item = page.locator(f".answer[data-answer='{answers[0].pk}'] .save-status")
    item.filter(has_text=KEPT[language]).wait_for()
    assert Answer.objects.filter(pk__in=[a.pk for a in answers], response="yes").count() == 0
    assert violations(page, axe_source) == []  # the offline state is accessible too

    # Reloaded while still offline: the answers and the count are still there.
    page.reload()
    page.wait_for_function(
        "(text) => document.getElementById('offline-banner').textContent.includes(text)",
        arg=WAITING[language],
    )
    typed = expected_in_full({answer.pk: {"response": "yes"} for answer in answers})
    assert lost(typed, shown_values(page, typed)) == []

    # The tab closed and opened again, still offline.
    page.close()
    page = context.new_page()
    page.goto(url)
    page.wait_for_function(
        "(text) => document.getElementById('offline-banner').textContent.includes(text)",
        arg=WAITING[language],
    )

    # Back online: all five go, once each.
    context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    wait_until_sent(page)
    assert Answer.objects.filter(pk__in=[a.pk for a in answers], response="yes").count() == 5
    assert changes_of(answers) == 5
    assert page.locator(".save-status.is-saved").count() >= 5
    page.reload()
    assert lost(typed, shown_values(page, typed)) == []
    assert lost(typed, stored_values(typed)) == []


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_change_made_meanwhile_by_someone_else_is_shown_as_a_conflict(open_page, site, language):
    page, _url = open_checklist(open_page, site, language)
    answers = first_five(site)
    answer_five_offline(page, answers, language)
    # Meanwhile a colleague, online, answers the third item "no".
    workflow.save_answer(
        checklist=site["checklist"],
        answer_id=answers[2].pk,
        user=site["colleague"],
        values=workflow.AnswerInput(
            response="no",
            action_description="Map the referral pathways",
            action_owner=site["colleague"],
            action_due=datetime.date(2027, 1, 31),
        ),
        based_on_version=0,
    )
    page.context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    conflicted = page.locator(f".answer[data-answer='{answers[2].pk}']")
    conflicted.locator(".save-status.is-error button").first.wait_for()
    status = conflicted.locator(".save-status").inner_text()
    assert "Rami" in status  # who changed it, and their answer
    assert re.search("No|Non", status)
    others = [a.pk for a in answers if a.pk != answers[2].pk]
    page.wait_for_function(
        "(ids) => ids.every(id => document.querySelector("
        "`.answer[data-answer='${id}'] .save-status.is-saved`))",
        arg=others,
    )
    assert Answer.objects.filter(pk__in=others, response="yes").count() == 4
    assert Answer.objects.get(pk=answers[2].pk).response == "no"  # never overwritten
    # Keeping mine sends it, now knowingly based on their version.
    conflicted.locator(".save-status button").first.click()
    page.wait_for_function(
        "(id) => document.querySelector(`.answer[data-answer='${id}'] .save-status.is-saved`)",
        arg=answers[2].pk,
    )
    assert Answer.objects.get(pk=answers[2].pk).response == "yes"


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_connection_lost_in_the_middle_of_sending_loses_nothing_and_doubles_nothing(
    open_page, site, language
):
    page, _url = open_checklist(open_page, site, language)
    context = page.context
    answers = first_five(site)
    answer_five_offline(page, answers, language)
    sent = []

    def drop_after_the_server_saved(route):
        sent.append(route.request.url)
        if len(sent) == 3:
            # The server stores the third answer, then the connection goes before the reply.
            route.fetch()
            context.set_offline(True)
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route(re.compile(r"/answers/\d+/$"), drop_after_the_server_saved)
    context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    page.wait_for_function("() => document.querySelectorAll('.save-status.is-saved').length >= 2")
    page.wait_for_timeout(500)
    stored = Answer.objects.filter(pk__in=[a.pk for a in answers], response="yes").count()
    assert stored == 3  # two acknowledged, the third stored without its reply
    assert page.locator("#offline-banner").is_visible()  # what was not acknowledged waits

    context.set_offline(False)
    page.unroute(re.compile(r"/answers/\d+/$"))
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    wait_until_sent(page)
    assert Answer.objects.filter(pk__in=[a.pk for a in answers], response="yes").count() == 5
    assert changes_of(answers) == 5  # the third was sent again, and not stored twice


OUTBOX_RECORDS = """() => new Promise((resolve) => {
  const request = indexedDB.open("pmapp", 1);
  request.onupgradeneeded = () => request.result.createObjectStore("outbox", {keyPath: "key"});
  request.onsuccess = () => {
    const count = request.result.transaction("outbox").objectStore("outbox").count();
    count.onsuccess = () => resolve(count.result);
  };
})"""

SIGN_OUT_WARNING = {"en": "1 answer is not sent yet", "fr": "1 réponse n'est pas encore envoyée"}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_signing_out_with_answers_waiting_asks_first_and_forgets_the_pages(
    open_page, site, language
):
    page, url = open_checklist(open_page, site, language)
    page.context.set_offline(True)
    answer_yes(page, first_five(site)[:1])
    page.wait_for_function("() => !document.getElementById('offline-banner').hidden")
    page.route(re.compile(r"/answers/\d+/$"), lambda route: route.abort())  # still not sent
    page.context.set_offline(False)
    page.click("#logout-form button[type=submit]")
    warning = page.locator("#logout-warning")
    warning.wait_for()
    assert SIGN_OUT_WARNING[language] in warning.inner_text()
    assert "/accounts/login/" not in page.url
    with page.expect_navigation():
        page.click("#logout-form button[type=submit]")  # "Sign out anyway"
    page.wait_for_url("**/accounts/signed-out/")
    # What was kept for Layla is gone from the device: pages, and the answer (as warned).
    assert page.evaluate("() => caches.has('pmapp-pages')") is False
    assert page.evaluate(OUTBOX_RECORDS) == 0
    # Another user on the same device: the answer waiting for Layla is never sent as theirs.
    page.unroute(re.compile(r"/answers/\d+/$"))
    page.click("main a[href='/accounts/login/']")
    page.fill("#id_username", "rami")
    page.fill("#id_password", "pw")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    page.goto(url)
    page.wait_for_timeout(1000)
    assert not Answer.objects.filter(updated_by=site["colleague"]).exists()
    assert page.locator("#offline-banner").is_hidden()


NEEDS_CONNECTION = {"en": "This page needs a connection", "fr": "Cette page demande une connexion"}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_page_never_opened_says_it_needs_a_connection(open_page, site, language, axe_source):
    page, _url = open_checklist(open_page, site, language)
    page.context.set_offline(True)
    page.goto("/guidance/")  # never opened on this device
    assert NEEDS_CONNECTION[language] in page.locator("h1").inner_text()
    assert violations(page, axe_source) == []
    # Submitting needs a connection, and says so instead of failing.
    page.go_back()
    page.click("button[name=action][value=submit]")
    message = page.locator("#action-message")
    message.wait_for()
    assert message.is_visible() and message.inner_text()
    assert violations(page, axe_source) == []


def test_guidance_opens_offline_in_a_checklist_opened_before(open_page, site):
    """The service worker keeps the checklist's guidance with its page."""
    page, url = open_checklist(open_page, site, "en")
    page.locator("details.guidance").first.wait_for(state="attached")
    page.context.set_offline(True)
    page.reload()
    disclosure = page.locator("details.guidance").first
    disclosure.wait_for(state="attached")
    disclosure.locator("summary").click()
    item = site["checklist"].answers.order_by("item__order").select_related("item").first().item
    assert item.guidance_en[:60] in disclosure.locator(".guidance-text").inner_text()
    page.context.set_offline(False)
