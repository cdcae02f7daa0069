"""Random and hostile input to every form and endpoint: never a 500, always escaped output."""

import pytest
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checklists.models import ActionPoint, Answer, ChecklistStatus

from .factories import answer_data, make_checklist, make_project

pytestmark = pytest.mark.django_db

HOSTILE = [
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    "'; DROP TABLE checklists_answer; --",
    "1 OR 1=1",
    "\x00null\x00byte",
    "x" * 10_000,
    "ÉÀ 漢字 العربية \u202e reversed",
    "{{ 7*7 }} {% now 'Y' %}",
    "-1",
    "99999999999999999999",
    "2026-02-30",
    "0000-00-00",
    "",
    " ",
]
hostile_text = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=200))
fuzz = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def no_server_error(response):
    assert response.status_code < 500, response.status_code


@fuzz
@given(
    values=st.fixed_dictionaries(
        {
            key: hostile_text
            for key in (
                "code",
                "title",
                "donor",
                "start_date",
                "end_date",
                "description",
                "population_female_0_5_with_disability",
                "office",
                "sectors",
                "current_phase",
            )
        }
    )
)
def test_project_form(client, staff_a, values):
    client.force_login(staff_a)
    no_server_error(client.post(reverse("projects:create"), values))


@fuzz
@given(
    values=st.fixed_dictionaries(
        {
            key: hostile_text
            for key in (
                "response",
                "comment",
                "not_applicable_reason",
                "action_description",
                "action_owner",
                "action_due",
                "version",
            )
        }
    )
)
def test_autosave_and_full_save_never_fail(client, staff_a, office_a, values):
    checklist = make_checklist(project=make_project(office=office_a), user=staff_a, item_count=1)
    answer = checklist.answers.get()
    client.force_login(staff_a)
    url = reverse("checklists:answer-save", args=[checklist.pk, answer.pk])
    no_server_error(client.post(url, answer_data(answer, **values)))
    no_server_error(
        client.post(
            reverse("checklists:save", args=[checklist.pk]),
            {"action": values["response"], **answer_data(answer, **values)},
        )
    )


@fuzz
@given(
    response=st.sampled_from(["yes", "partial", "no", "na"]),
    comment=hostile_text,
    reason=hostile_text,
    action=hostile_text,
)
def test_hostile_text_is_stored_as_typed_and_shown_escaped(
    client, staff_a, office_a, response, comment, reason, action
):
    """Valid answers whose texts are hostile: every example is saved (or refused with a
    message when too long or holding a null byte), and then shown escaped."""
    checklist = make_checklist(project=make_project(office=office_a), user=staff_a, item_count=1)
    answer = checklist.answers.get()
    client.force_login(staff_a)
    url = reverse("checklists:answer-save", args=[checklist.pk, answer.pk])
    values = {
        "response": response,
        "comment": comment,
        "not_applicable_reason": reason,
        "action_description": action,
        "action_owner": staff_a.pk,
        "action_due": "2026-12-01",
    }
    reply = client.post(url, answer_data(answer, **values))
    refusable = any("\x00" in t or len(t) > 2000 for t in (comment, reason, action))
    if refusable:
        assert reply.status_code in (200, 400), reply.status_code
    else:
        assert reply.status_code == 200, reply.json()
    if reply.status_code != 200:
        assert reply.json()["message"]
        return
    answer.refresh_from_db()
    page = client.get(reverse("checklists:detail", args=[checklist.pk])).content.decode()
    stored = [answer.comment, answer.not_applicable_reason]
    if answer.needs_action_point:
        stored.append(answer.action_point.description)
    for text in stored:
        assert escape(text) in page
        if "<" in text:
            assert text not in page


def test_stored_script_is_shown_escaped(client, staff_a, project_a):
    from checklists import workflow

    checklist = make_checklist(project=project_a, user=staff_a, item_count=1)
    answer = checklist.answers.get()
    payload = "<script>alert('x')</script>"
    workflow.save_answer(
        checklist=checklist,
        answer_id=answer.pk,
        user=staff_a,
        values=workflow.AnswerInput(response="no", comment=payload, action_description=payload),
        based_on_version=0,
    )
    project_a.title = payload
    project_a.save()
    client.force_login(staff_a)
    for url in (
        reverse("checklists:detail", args=[checklist.pk]),
        reverse("checklists:project", args=[project_a.pk]),
        reverse("checklists:home"),
        reverse("checklists:checklist-history", args=[checklist.pk]),
        reverse("checklists:action-points", args=[project_a.pk]),
    ):
        body = client.get(url).content.decode()
        assert payload not in body, url
    assert (
        "&lt;script&gt;"
        in client.get(reverse("checklists:project", args=[project_a.pk])).content.decode()
    )


@fuzz
@given(
    values=st.fixed_dictionaries(
        {
            key: hostile_text
            for key in (
                "decision",
                "comment",
                "condition-TOTAL_FORMS",
                "condition-INITIAL_FORMS",
                "condition-0-description",
                "condition-0-owner",
                "condition-0-due_date",
            )
        }
    )
)
def test_review_decision(client, focal_a, staff_a, office_a, values):
    checklist = make_checklist(project=make_project(office=office_a), user=staff_a, item_count=1)
    Answer.objects.filter(checklist=checklist).update(response="yes")
    checklist.status, checklist.submitted_by = ChecklistStatus.SUBMITTED, staff_a
    checklist.save()
    answer = checklist.answers.get()
    client.force_login(focal_a)
    data = {**values, f"comment_{answer.pk}": values["comment"]}
    no_server_error(client.post(reverse("checklists:review", args=[checklist.pk]), data))


@fuzz
@given(done_on=hostile_text, note=hostile_text)
def test_action_point_done(client, staff_a, project_a, done_on, note):
    action_point = ActionPoint.objects.create(project=project_a, description="x", owner=staff_a)
    client.force_login(staff_a)
    prefix = f"ap{action_point.pk}"
    response = client.post(
        reverse("checklists:action-point-done", args=[action_point.pk]),
        {f"{prefix}-done_on": done_on, f"{prefix}-done_note": note},
    )
    no_server_error(response)


@fuzz
@given(
    params=st.dictionaries(
        st.sampled_from(
            [
                "office",
                "region",
                "sector",
                "phase",
                "endorsement",
                "donor",
                "active_from",
                "active_until",
                "page",
                "q",
                "archived",
                "show",
                "principle",
                "view",
            ]
        ),
        hostile_text,
        max_size=5,
    )
)
def test_filters_and_query_strings(client, hq_manager, staff_a, project_a, params):
    client.force_login(hq_manager)
    no_server_error(client.get(reverse("checklists:dashboard"), params))
    no_server_error(client.get(reverse("checklists:home"), params))
    no_server_error(client.get(reverse("checklists:guidance"), params))
    no_server_error(client.get(reverse("checklists:action-points", args=[project_a.pk]), params))
    no_server_error(client.get(reverse("checklists:project-history", args=[project_a.pk]), params))
    no_server_error(client.get(reverse("checklists:portfolio-answers-csv"), params))


@fuzz
@given(username=hostile_text, password=hostile_text, language=hostile_text, next_url=hostile_text)
def test_login_and_language(client, username, password, language, next_url):
    no_server_error(client.post(reverse("login"), {"username": username, "password": password}))
    response = client.post(reverse("switch-language"), {"language": language, "next": next_url})
    no_server_error(response)
    if response.status_code == 302:
        assert not response["Location"].startswith(("http://", "https://", "//"))


@fuzz
@given(kind=hostile_text, query=hostile_text)
def test_report_requests(client, hq_manager, kind, query, django_capture_on_commit_callbacks):
    client.force_login(hq_manager)
    with django_capture_on_commit_callbacks(execute=True):
        no_server_error(
            client.post(
                reverse("checklists:portfolio-file-request"), {"kind": kind, "query": query}
            )
        )


# --- Hostile requests to every form and endpoint ------------------------------------------------

TEN_MEGABYTES = 10 * 1024 * 1024


@pytest.fixture
def endpoints(staff_a, focal_a, hq_manager, project_a):
    """Every form and endpoint that takes a POST body: (name, url, user, data)."""
    from checklists import workflow
    from checklists.models import ReportFile

    checklist = make_checklist(project=project_a, user=staff_a, item_count=1)
    answer = checklist.answers.get()
    review = make_checklist(
        project=make_project(office=project_a.office), user=staff_a, item_count=1
    )
    workflow.save_answer(
        checklist=review,
        answer_id=review.answers.get().pk,
        user=staff_a,
        values=workflow.AnswerInput(response="yes"),
        based_on_version=0,
    )
    workflow.submit_checklist(checklist=review, user=staff_a)
    action_point = ActionPoint.objects.create(project=project_a, description="x", owner=staff_a)
    report = ReportFile.objects.create(kind="portfolio_pdf", requested_by=hq_manager, language="en")
    prefix = f"ap{action_point.pk}"
    return [
        ("login", reverse("login"), None, {"username": "staff_a", "password": "pw"}),
        ("language", reverse("switch-language"), None, {"language": "fr", "next": "/"}),
        ("settings", reverse("projects:settings"), staff_a, {"language": "en", "time_zone": "UTC"}),
        ("create", reverse("projects:create"), staff_a, {"code": "X-1", "title": "T"}),
        ("update", reverse("projects:update", args=[project_a.pk]), staff_a, {"title": "T"}),
        ("start", reverse("checklists:start", args=[project_a.pk]), staff_a, {}),
        ("save", reverse("checklists:save", args=[checklist.pk]), staff_a, answer_data(answer)),
        (
            "autosave",
            reverse("checklists:answer-save", args=[checklist.pk, answer.pk]),
            staff_a,
            answer_data(answer, response="yes"),
        ),
        (
            "review",
            reverse("checklists:review", args=[review.pk]),
            focal_a,
            {"decision": "approved"},
        ),
        (
            "done",
            reverse("checklists:action-point-done", args=[action_point.pk]),
            staff_a,
            {f"{prefix}-done_on": "2026-01-01", f"{prefix}-done_note": "ok"},
        ),
        ("evaluation", reverse("checklists:move-to-evaluation", args=[project_a.pk]), staff_a, {}),
        (
            "report",
            reverse("checklists:portfolio-file-request"),
            hq_manager,
            {"kind": "portfolio_pdf"},
        ),
        ("retry", reverse("checklists:portfolio-file-retry", args=[report.pk]), hq_manager, {}),
    ]


def login_as(client, user):
    if user is not None:
        client.force_login(user)


def test_a_body_in_utf16_gets_a_clear_400_everywhere(client, endpoints):
    for name, url, user, data in endpoints:
        login_as(client, user)
        # The client encodes the text in the declared charset, as a hostile sender would.
        body = "&".join(f"{k}={v}" for k, v in data.items())
        response = client.post(
            url, body, content_type="application/x-www-form-urlencoded; charset=utf-16"
        )
        assert response.status_code == 400, name
        text = response.content.decode()
        assert "encoding the app does not read" in text, name


def test_a_ten_megabyte_body_gets_a_clear_413_everywhere(client, endpoints):
    for name, url, user, data in endpoints:
        login_as(client, user)
        response = client.post(url, {**data, "padding": "x" * TEN_MEGABYTES})
        assert response.status_code == 413, name
        assert "The app accepts up to 2.5 MB at a time" in response.content.decode(), name


def test_a_ten_megabyte_autosave_gets_its_message_as_json(client, staff_a, endpoints):
    _name, url, user, data = next(e for e in endpoints if e[0] == "autosave")
    client.force_login(user)
    response = client.post(
        url, {**data, "padding": "x" * TEN_MEGABYTES}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 413 and "2.5 MB" in response.json()["message"]


@pytest.mark.parametrize("length", [256, 100_000])
def test_a_very_long_username_is_refused_by_the_form(client, length):
    response = client.post(reverse("login"), {"username": "u" * length, "password": "pw"})
    assert response.status_code == 200
    assert "at most 150 characters" in response.content.decode()


def test_a_million_character_description_is_refused_and_nothing_is_created(
    client, staff_a, office_a
):
    from projects.models import Project, Sector

    client.force_login(staff_a)
    data = {
        "code": "IRQ-LONG-01",
        "title": "Long",
        "office": office_a.pk,
        "sectors": [Sector.objects.get(code="cash").pk],
        "start_date": "2026-01-01",
        "end_date": "2026-02-01",
        "description": "d" * 1_000_000,
    }
    response = client.post(reverse("projects:create"), data)
    assert response.status_code in (200, 413)
    assert not Project.objects.filter(code="IRQ-LONG-01").exists()
    data["description"] = "d" * 5001
    response = client.post(reverse("projects:create"), data)
    assert response.status_code == 200
    assert "at most 5000 characters" in response.content.decode()
    assert not Project.objects.filter(code="IRQ-LONG-01").exists()


def test_every_free_text_field_is_bounded():
    """Each text a user can type has a maximum length, on the model and on the form."""
    from django.apps import apps
    from django.db import models

    unbounded = [
        f"{model._meta.label}.{field.name}"
        for app in ("projects", "checklists")
        for model in apps.get_app_config(app).get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.TextField) and field.max_length is None
    ]
    assert unbounded == []
