"""Sessions on a shared computer, without a browser: how long they last, what the browser is
told to keep or delete, and answers refused under another person's session. The browser's
side (kept pages, waiting answers, the Back button, a profile on disk):
tests/browser/test_shared_computer.py."""

import pytest
from django.urls import reverse

from checklists.models import Answer
from projects import sessions
from projects.models import Role

from ..factories import answer_data, make_checklist, make_user

pytestmark = pytest.mark.django_db

MINUTE = 60


@pytest.fixture
def clock(monkeypatch):
    """The sessions' clock, moved by the test."""

    class Clock:
        now = 1_800_000_000.0

        def move(self, seconds):
            self.now += seconds

    clock = Clock()
    monkeypatch.setattr(sessions.time, "time", lambda: clock.now)
    return clock


def log_in(client, user, password="pw"):
    return client.post(reverse("login"), {"username": user.username, "password": password})


def signed_in(client) -> bool:
    return client.get(reverse("checklists:home")).status_code == 200


def test_the_session_cookie_ends_when_the_browser_closes(client, staff_a):
    response = log_in(client, staff_a)
    cookie = response.cookies["sessionid"]
    assert cookie.value and not cookie["max-age"] and not cookie["expires"]
    marker = response.cookies[sessions.MARKER_COOKIE]
    assert not marker["max-age"] and not marker["expires"] and not marker["httponly"]
    user_id, ends_at, idle_ends_at = map(int, marker.value.split("."))
    assert user_id == staff_a.pk and ends_at - idle_ends_at == 12 * 3600 - 30 * MINUTE


def test_a_session_nobody_uses_ends_and_the_login_page_says_why(client, staff_a, clock):
    log_in(client, staff_a)
    clock.move(29 * MINUTE)
    assert signed_in(client)
    clock.move(31 * MINUTE)
    response = client.get(reverse("checklists:home"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    page = client.get(response["Location"]).content.decode()
    assert "You were signed out because nothing was done for a while" in page
    # The same person may come back for their waiting answers: nothing is cleared yet.
    assert "Clear-Site-Data" not in response


def test_autosave_and_typing_count_as_use(client, staff_a, project_a, clock):
    checklist = make_checklist(project=project_a, user=staff_a, item_count=2)
    answer = checklist.answers.first()
    log_in(client, staff_a)
    for _ in range(4):  # an hour and a half of typing, a save every 25 minutes
        clock.move(25 * MINUTE)
        url = reverse("checklists:answer-save", args=[checklist.pk, answer.pk])
        answer.refresh_from_db()
        saved = client.post(url, answer_data(answer, response="yes", comment=f"at {clock.now}"))
        assert saved.status_code == 200
    clock.move(25 * MINUTE)
    assert client.post(reverse("still-here")).status_code == 204  # typing, told by the page
    clock.move(25 * MINUTE)
    assert signed_in(client)


def test_the_limit_holds_however_much_the_session_is_used(client, staff_a, clock, settings):
    log_in(client, staff_a)
    for _ in range(12 * 3):
        clock.move(20 * MINUTE)
        assert signed_in(client)
    clock.move(20 * MINUTE)  # 12 h 20 after signing in
    response = client.get(reverse("checklists:home"))
    assert response.status_code == 302
    # Past the limit, what the browser kept for the person goes.
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    page = client.get(response["Location"]).content.decode()
    assert "Your session reached its time limit" in page


@pytest.mark.parametrize(
    "name",
    ["checklists:home", "checklists:detail", "checklists:checklist-guidance", "checklists:project"],
)
def test_no_page_of_a_signed_in_person_is_kept_by_the_browser_cache(
    client, staff_a, project_a, name
):
    checklist = make_checklist(project=project_a, user=staff_a, item_count=2)
    client.force_login(staff_a)
    args = {
        "checklists:home": [],
        "checklists:detail": [checklist.pk],
        "checklists:checklist-guidance": [checklist.pk],
        "checklists:project": [project_a.pk],
    }[name]
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response["X-Pmapp-User"] == str(staff_a.pk)


def test_api_answers_are_not_kept_by_the_browser_cache(client, staff_a):
    client.force_login(staff_a)
    response = client.get("/api/v1/projects/")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"


def test_signing_out_tells_the_browser_to_delete_what_it_kept(client, staff_a):
    log_in(client, staff_a)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"].endswith("/accounts/signed-out/")
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert response.cookies[sessions.MARKER_COOKIE].value == ""  # deleted
    page = client.get(response["Location"])
    assert page["Clear-Site-Data"] == '"cache", "storage"'
    text = page.content.decode()
    assert "You are signed out" in text and "answers still waiting to be sent were removed" in text
    assert not signed_in(client)


def test_another_person_signing_in_clears_what_the_browser_kept_for_the_previous_one(
    client, staff_a, office_a
):
    rami = make_user(office=office_a, role=Role.STAFF, username="rami")
    log_in(client, staff_a)
    again = client.post(reverse("logout"))  # the marker goes with the sign-out...
    assert again.status_code == 302
    # ...but a session that ended by itself leaves it: the next person's sign-in clears.
    client.cookies[sessions.MARKER_COOKIE] = f"{staff_a.pk}.9999999999.1"
    response = log_in(client, rami)
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert response.cookies[sessions.MARKER_COOKIE].value.startswith(f"{rami.pk}.")
    # The same person signing in again keeps what waits for them.
    client.post(reverse("logout"))
    client.cookies[sessions.MARKER_COOKIE] = f"{rami.pk}.9999999999.1"
    assert "Clear-Site-Data" not in log_in(client, rami)


def test_the_first_visit_after_the_browser_closed_on_a_session_clears_it(client, staff_a):
    log_in(client, staff_a)
    assert client.cookies[sessions.KEPT_COOKIE].value == "1"
    # Closing the browser drops the session cookie and the marker, never the other one.
    del client.cookies["sessionid"]
    del client.cookies[sessions.MARKER_COOKIE]
    response = client.get(reverse("login"))
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert response.cookies[sessions.KEPT_COOKIE].value == ""
    assert "Clear-Site-Data" not in client.get(reverse("login"))  # once


def test_an_answer_typed_under_another_persons_session_is_refused(
    client, staff_a, office_a, project_a
):
    rami = make_user(office=office_a, role=Role.STAFF, username="rami")
    checklist = make_checklist(project=project_a, user=staff_a, item_count=2)
    answer = checklist.answers.first()
    client.force_login(rami)
    url = reverse("checklists:answer-save", args=[checklist.pk, answer.pk])
    typed_by_layla = answer_data(answer, response="no", comment="the family in tent 14")
    response = client.post(url, {**typed_by_layla, "signed_in_as": str(staff_a.pk)})
    assert response.status_code == 409
    assert response.json()["status"] == "someone_else"
    assert "was not saved under your name" in response.json()["message"]
    # The page without JavaScript: the same refusal, nothing saved.
    page = client.post(
        reverse("checklists:save", args=[checklist.pk]),
        {**typed_by_layla, "signed_in_as": str(staff_a.pk)},
        follow=True,
    )
    assert "was not saved under your name" in page.content.decode()
    assert Answer.objects.get(pk=answer.pk).comment == ""
    # Typed by the person signed in: saved.
    mine = client.post(url, {**typed_by_layla, "signed_in_as": str(rami.pk)})
    assert mine.status_code == 200
    assert Answer.objects.get(pk=answer.pk).updated_by == rami
