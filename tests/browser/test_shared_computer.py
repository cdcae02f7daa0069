"""The shared computer: person A works, then person B sits down at the same computer, in
Chromium as people have it (a profile on disk, the back/forward cache on). Whatever way A
leaves (signing out, closing the browser, a session that runs out, no connection, a tab
left open), B sees none of A's words, the profile's files on disk hold none of them (HTTP
cache included), and no answer of A's is ever recorded under B's name."""

import contextlib
import gzip
import re
import zlib
from importlib import import_module

import pytest
from django.conf import settings
from playwright.sync_api import Error as PlaywrightError

from checklists.models import Answer, AuditEntry
from projects import sessions
from projects.models import Role

from ..factories import make_office, make_user, start_project_checklist
from .conftest import CHROMIUM, CHROMIUM_ARGS, CHROMIUM_DEFAULTS_LEFT_OUT

# What A typed: saved on the server, and waiting on the device (never sent).
A_SAVED = "Tent fourteen reported threats at night"
A_WAITING = "Neighbour of the Hassan family named the guard"
A_WORDS = [A_SAVED, A_WAITING]


@pytest.fixture
def desk(transactional_db, framework, browser, live_server, tmp_path):
    """One computer: a Chromium profile on disk, opened and closed as people do."""
    office = make_office(code="IRQ", name="Iraq country office")
    layla = make_user(office=office, role=Role.STAFF, username="layla", first_name="Layla")
    rami = make_user(office=office, role=Role.STAFF, username="rami", first_name="Rami")
    project, checklist = start_project_checklist(
        office=office, staff=layla, code="IRQ-DSK-01", title="Shelter for returnees"
    )

    class Desk:
        profile = tmp_path / "profile"
        context = None

        def open(self):
            self.context = browser.browser_type.launch_persistent_context(
                str(self.profile),
                executable_path=CHROMIUM,
                args=CHROMIUM_ARGS,
                ignore_default_args=CHROMIUM_DEFAULTS_LEFT_OUT,
                base_url=live_server.url,
            )
            self.context.set_default_timeout(15_000)
            return self.context

        def page(self):
            pages = self.context.pages
            return pages[0] if pages else self.context.new_page()

        def close(self):
            self.context.close()
            self.context = None

    desk = Desk()
    desk.layla, desk.rami, desk.project, desk.checklist = layla, rami, project, checklist
    desk.checklist_url = f"/checklists/{checklist.pk}/"
    yield desk
    if desk.context is not None:
        desk.close()


def sign_in(page, username):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    with page.expect_navigation():
        page.click("main button[type=submit]")


def a_works(desk):
    """A signs in, opens the checklist (kept for use offline), saves a comment, then types
    another while the connection is down: it waits on the device."""
    page = desk.page()
    sign_in(page, "layla")
    page.goto(f"/projects/{desk.project.pk}/")
    page.goto(desk.checklist_url)
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.reload()
    first, second = desk.checklist.answers.order_by("item__order")[:2]
    item = page.locator(f".answer[data-answer='{first.pk}']")
    item.locator("input[value=yes]").check()
    item.locator("details.comment summary").click()
    item.locator("textarea[name$=comment]").fill(A_SAVED)
    item.locator("textarea[name$=comment]").press("Tab")
    page.wait_for_function(
        "(id) => document.querySelector(`.answer[data-answer='${id}'] .save-status.is-saved`)",
        arg=first.pk,
    )
    assert Answer.objects.get(pk=first.pk).comment == A_SAVED
    # The connection goes; A answers one more item, which waits.
    desk.context.route(re.compile(r"/answers/\d+/$"), lambda route: route.abort())
    item = page.locator(f".answer[data-answer='{second.pk}']")
    item.locator("input[value=yes]").check()
    item.locator("details.comment summary").click()
    item.locator("textarea[name$=comment]").fill(A_WAITING)
    item.locator("textarea[name$=comment]").press("Tab")
    page.wait_for_function(
        "() => JSON.stringify(localStorage).indexOf('pmapp-typed') === -1"
        " && document.querySelector('.save-status.is-waiting, .save-status.is-error')"
    )
    return page


def go_offline_to(page, url):
    """Open ``url`` without a connection: the app's offline page, or (when Chromium does not
    wake the service worker in time, as happens at start-up) the browser's own."""
    try:
        page.goto(url)
    except PlaywrightError as error:
        assert "ERR_INTERNET_DISCONNECTED" in str(error)
        return
    assert "needs a connection" in page.locator("h1").inner_text()


def on_screen(context) -> list[str]:
    """A's words on any page open in the browser."""
    found = []
    for page in context.pages:
        for _attempt in range(10):  # a page still navigating is read once it has arrived
            try:
                page.wait_for_load_state()
                text = page.content() + page.locator("body").inner_text()
                break
            except PlaywrightError:
                page.wait_for_timeout(300)
        else:
            raise AssertionError(f"{page.url} never stopped navigating")
        found += [word for word in A_WORDS if word in text]
    return found


def on_disk(profile) -> list[str]:
    """A's words anywhere in the profile's files: as written, in UTF-16, and inside any
    gzip stream (the HTTP cache keeps bodies as they came)."""
    found = set()
    for path in profile.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        views = [data, data.decode("utf-16-le", "ignore").encode()]
        for start in [m.start() for m in re.finditer(b"\x1f\x8b\x08", data)][:50]:
            with contextlib.suppress(zlib.error, gzip.BadGzipFile):
                views.append(zlib.decompressobj(31).decompress(data[start:], 50_000_000))
        for word in A_WORDS:
            if any(word.encode() in view for view in views):
                found.add(f"{word!r} in {path.relative_to(profile)}")
    return sorted(found)


def nothing_recorded_under_b(desk):
    assert not Answer.objects.filter(updated_by=desk.rami).exists()
    assert not AuditEntry.objects.filter(actor=desk.rami).exists()
    assert not Answer.objects.filter(comment=A_WAITING).exists()


def b_signs_in_and_leaves(desk):
    page = desk.page()
    desk.context.set_offline(False)
    desk.context.unroute(re.compile(r"/answers/\d+/$"))
    sign_in(page, "rami")
    page.wait_for_timeout(1000)  # anything that would be sent, is
    assert on_screen(desk.context) == []
    desk.close()
    assert on_disk(desk.profile) == []
    nothing_recorded_under_b(desk)


def test_a_signs_out_then_b_finds_nothing(desk):
    desk.open()
    page = a_works(desk)
    page.click("#logout-form button[type=submit]")
    page.locator("#logout-warning").wait_for()
    assert "1 answer is not sent yet" in page.locator("#logout-warning").inner_text()
    with page.expect_navigation():
        page.click("#logout-form button[type=submit]")  # "Sign out anyway"
    page.wait_for_url("**/accounts/signed-out/")
    assert "You are signed out" in page.locator("h1").inner_text()
    # B at the same computer presses Back: A's checklist does not come back.
    page.go_back()
    page.wait_for_load_state()
    assert on_screen(desk.context) == []
    assert "/accounts/login/" in page.url
    b_signs_in_and_leaves(desk)


def test_a_closes_the_browser_then_b_finds_nothing(desk):
    desk.open()
    a_works(desk)
    desk.close()  # A leaves without signing out
    desk.open()
    page = desk.page()
    page.goto(desk.checklist_url)
    assert "/accounts/login/" in page.url  # the session ended with the browser
    assert on_screen(desk.context) == []
    b_signs_in_and_leaves(desk)


def test_offline_b_is_served_nothing_of_a(desk):
    desk.open()
    a_works(desk)
    desk.close()
    desk.open()
    desk.context.set_offline(True)
    page = desk.page()
    for url in (desk.checklist_url, f"/projects/{desk.project.pk}/", "/"):
        go_offline_to(page, url)
        assert on_screen(desk.context) == [], url
    b_signs_in_and_leaves(desk)


def test_a_session_past_its_limit_leaves_nothing_for_b(desk, live_server):
    desk.open()
    page = a_works(desk)
    # Twelve hours later: A's session is past its limit, the browser still open.
    session_key = desk.context.cookies(live_server.url)
    key = next(c["value"] for c in session_key if c["name"] == settings.SESSION_COOKIE_NAME)
    store = import_module(settings.SESSION_ENGINE).SessionStore(key)
    store[sessions.SIGNED_IN_AT] -= 13 * 3600
    store.save()
    marker = next(c for c in session_key if c["name"] == sessions.MARKER_COOKIE)
    user_id, ends_at, idle_ends_at = marker["value"].split(".")
    marker["value"] = f"{user_id}.{int(ends_at) - 13 * 3600}.{idle_ends_at}"
    desk.context.add_cookies([marker])
    # Offline, the kept pages are served to nobody...
    desk.context.set_offline(True)
    go_offline_to(page, f"/projects/{desk.project.pk}/")
    assert on_screen(desk.context) == []
    # ...and online, B finds the login page.
    desk.context.set_offline(False)
    page.goto(desk.checklist_url)
    assert "/accounts/login/" in page.url
    assert on_screen(desk.context) == []
    b_signs_in_and_leaves(desk)


def test_a_tab_left_open_by_a_sends_nothing_under_b_and_shows_nothing(desk):
    desk.open()
    stale = a_works(desk)
    other = desk.context.new_page()
    sign_in(other, "rami")  # B, in another tab of the same browser
    desk.context.unroute(re.compile(r"/answers/\d+/$"))
    with contextlib.suppress(PlaywrightError):  # unless it has already left: A's tab tries
        stale.evaluate("() => window.dispatchEvent(new Event('online'))")
    stale.bring_to_front()
    stale.wait_for_url(re.compile(r"/$"))  # it leaves A's checklist
    other.wait_for_timeout(1000)
    assert on_screen(desk.context) == []
    nothing_recorded_under_b(desk)
    other.close()
    b_signs_in_and_leaves(desk)


def test_an_idle_session_warns_then_ends_and_the_same_person_sends_what_they_typed(
    open_page, desk, settings, axe_source
):
    from .test_accessibility import violations

    settings.SESSION_IDLE_MINUTES = 0.5
    settings.SESSION_IDLE_WARNING_SECONDS = 20
    page = open_page("layla")
    page.goto(desk.checklist_url)
    first = desk.checklist.answers.order_by("item__order").first()
    page.route(re.compile(r"/answers/\d+/$"), lambda route: route.abort())  # no connection
    item = page.locator(f".answer[data-answer='{first.pk}']")
    item.locator("input[value=yes]").check()
    item.locator("details.comment summary").click()
    item.locator("textarea[name$=comment]").fill(A_WAITING)
    item.locator("textarea[name$=comment]").press("Tab")
    # Nothing more is done: the page warns, in words a screen reader says at once.
    warning = page.locator("#session-warning")
    warning.wait_for(state="visible", timeout=30_000)
    assert warning.get_attribute("role") == "alert"
    assert "you will be signed out in 1 min" in warning.inner_text()
    assert violations(page, axe_source) == []
    # Then the session ends, and the login page says why.
    page.wait_for_url("**/accounts/login/**", timeout=30_000)
    assert "nothing was done for a while" in page.locator("main").inner_text()
    assert not Answer.objects.filter(comment=A_WAITING).exists()
    # The same person signs in again: what they typed is sent, under their name.
    page.unroute(re.compile(r"/answers/\d+/$"))
    page.fill("#id_username", "layla")
    page.fill("#id_password", "pw")
    with page.expect_navigation():
        page.click("main button[type=submit]")
    page.wait_for_url(f"**{desk.checklist_url}")
    page.wait_for_function("() => !document.querySelector('.save-status.is-waiting')")
    page.wait_for_function(
        "(id) => document.querySelector(`.answer[data-answer='${id}'] .save-status.is-saved`)",
        arg=first.pk,
    )
    saved = Answer.objects.get(pk=first.pk)
    assert (saved.comment, saved.updated_by) == (A_WAITING, desk.layla)


def test_stay_signed_in_keeps_the_session(open_page, desk, settings):
    settings.SESSION_IDLE_MINUTES = 0.5
    settings.SESSION_IDLE_WARNING_SECONDS = 20
    page = open_page("layla")
    page.goto(desk.checklist_url)
    warning = page.locator("#session-warning")
    warning.wait_for(state="visible", timeout=30_000)
    warning.locator("button").click()
    warning.wait_for(state="hidden")
    page.wait_for_timeout(15_000)  # past the moment the session would have ended
    page.reload()
    assert page.url.endswith(desk.checklist_url)
