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
def test_autosave_and_full_save(client, staff_a, office_a, values):
    checklist = make_checklist(project=make_project(office=office_a), user=staff_a, item_count=1)
    answer = checklist.answers.get()
    client.force_login(staff_a)
    url = reverse("checklists:answer-save", args=[checklist.pk, answer.pk])
    response = client.post(url, answer_data(answer, **values))
    no_server_error(response)
    if response.status_code == 200:
        answer.refresh_from_db()
        page = client.get(reverse("checklists:detail", args=[checklist.pk])).content.decode()
        assert escape(answer.comment) in page
        if "<" in answer.comment:
            assert answer.comment not in page
    no_server_error(
        client.post(
            reverse("checklists:save", args=[checklist.pk]),
            {"action": values["response"], **answer_data(answer, **values)},
        )
    )


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
