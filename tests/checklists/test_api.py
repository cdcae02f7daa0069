"""The read API (/api/v1/): what each list says, its filters, pages, scope, queries and
schema. Tokens themselves: tests/projects/test_access_tokens.py."""

import datetime

import pytest
from django.core.cache import cache
from django.utils import translation

from checklists import scoring, workflow
from checklists.models import Checklist, Principle
from projects.access_tokens import issue_token

from ..factories import answer_everything, make_project, start_project_checklist

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit(settings):
    settings.API_RATE_LIMIT = "10000/min"
    cache.clear()


def bearer(user) -> dict:
    _token, secret = issue_token(user=user, name="tests", lifetime_days=30)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def reviewed_project(*, office, staff, focal, code):
    """A project whose design checklist is answered (one item partially, with an action
    point), submitted and approved with a condition."""
    project, checklist = start_project_checklist(office=office, staff=staff, code=code)
    answer_everything(checklist, staff, submit=False)
    partial = checklist.answers.order_by("item__order").last()
    workflow.save_answer(
        checklist=checklist,
        answer_id=partial.pk,
        user=staff,
        values=workflow.AnswerInput(
            response="partial",
            comment=f"Comment of {code}",
            action_description=f"Action of {code}",
            action_owner=staff,
            action_due=datetime.date(2020, 1, 31),
        ),
        based_on_version=partial.version,
    )
    workflow.submit_checklist(checklist=checklist, user=staff)
    workflow.decide_checklist(
        checklist=checklist,
        reviewer=focal,
        decision="approved_with_conditions",
        comment=f"Review of {code}",
        conditions=[workflow.Condition(f"Condition of {code}", staff, datetime.date(2099, 1, 1))],
    )
    return project, Checklist.objects.get(pk=checklist.pk)


@pytest.fixture
def world(office_a, office_b, staff_a, focal_a, outsider_b):
    from tests.factories import make_user

    focal_b = make_user(office=office_b, role="focal_point", username="focal_b")
    project_a, checklist_a = reviewed_project(
        office=office_a, staff=staff_a, focal=focal_a, code="IRQ-API-01"
    )
    project_b, checklist_b = reviewed_project(
        office=office_b, staff=outsider_b, focal=focal_b, code="JOR-API-01"
    )
    return {
        "project_a": project_a,
        "checklist_a": checklist_a,
        "project_b": project_b,
        "checklist_b": checklist_b,
    }


def every_page(client, url, auth, **params):
    """Every row of a list, following its cursor pages."""
    rows, pages = [], 0
    response = client.get(url, params, **auth)
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        rows += body["results"]
        pages += 1
        if not body["next"]:
            return rows, pages
        response = client.get(body["next"], **auth)


def test_projects_list_shows_only_the_users_offices(client, world, staff_a):
    rows, _pages = every_page(client, "/api/v1/projects/", bearer(staff_a))
    assert [row["code"] for row in rows] == ["IRQ-API-01"]
    row = rows[0]
    assert row["office"] == "IRQ"
    assert row["current_phase"] == "endorsement"  # the design approval moved it on
    assert row["endorsed"] is False
    assert row["sectors"] == [world["project_a"].sectors.get().code]


def test_hq_manager_reads_every_office(client, world, hq_manager):
    rows, _pages = every_page(client, "/api/v1/projects/", bearer(hq_manager))
    assert {row["code"] for row in rows} == {"IRQ-API-01", "JOR-API-01"}


def test_another_offices_objects_are_404_and_never_listed(client, world, staff_a):
    auth = bearer(staff_a)
    b = world["checklist_b"]
    for url in (
        f"/api/v1/projects/{world['project_b'].pk}/",
        f"/api/v1/checklists/{b.pk}/",
        f"/api/v1/answers/{b.answers.first().pk}/",
        f"/api/v1/reviews/{b.reviews.get().pk}/",
        f"/api/v1/action-points/{world['project_b'].action_points.first().pk}/",
    ):
        response = client.get(url, **auth)
        assert response.status_code == 404, url
        assert "JOR-API-01" not in response.content.decode()
    for url in ("projects", "checklists", "answers", "action-points", "reviews"):
        rows, _pages = every_page(client, f"/api/v1/{url}/", auth, page_size=1000)
        assert rows, url
        assert "JOR-API-01" not in str(rows), url
    # Naming the other office in a filter is refused like an unknown code: nothing leaks.
    response = client.get("/api/v1/answers/", {"office": "JOR"}, **auth)
    assert response.status_code == 400
    assert response.json() == {"office": ["None of your offices has this code."]}


def test_checklist_scores_are_the_scoring_modules(client, world, staff_a):
    checklist = world["checklist_a"]
    response = client.get(f"/api/v1/checklists/{checklist.pk}/", **bearer(staff_a))
    assert response.status_code == 200
    body = response.json()
    expected = scoring.score_answers(
        checklist.answers.for_page(framework_id=checklist.framework_id)
    )
    assert body["status"] == "approved"
    assert body["score"]["percent"] == expected.overall.percent
    assert body["score"]["rating"] == expected.overall.rating
    assert body["score"]["partial"] == 1
    by_code = dict(Principle.objects.values_list("code", "pk"))
    for code, score in body["principle_scores"].items():
        assert score["percent"] == expected.by_principle[by_code[code]].percent, code
        assert score["rating"] == expected.by_principle[by_code[code]].rating, code
    assert body["score"]["rating_label"] == str(scoring.Rating.LABELS[expected.overall.rating])


def test_answers_carry_the_question_in_the_requests_language(client, world, staff_a):
    auth = bearer(staff_a)
    checklist = world["checklist_a"]
    answer = checklist.answers.order_by("item__order").last()
    english = client.get(f"/api/v1/answers/{answer.pk}/", **auth).json()
    french = client.get(f"/api/v1/answers/{answer.pk}/", HTTP_ACCEPT_LANGUAGE="fr", **auth).json()
    assert english["question"] == answer.item.question_en
    assert french["question"] == answer.item.question_fr != answer.item.question_en
    assert english["response"] == "partial"
    assert english["comment"] == "Comment of IRQ-API-01"
    assert english["updated_by"] == "staff_a"


def test_answer_filters(client, world, staff_a):
    auth = bearer(staff_a)
    checklist = world["checklist_a"]
    partial, _pages = every_page(client, "/api/v1/answers/", auth, response="partial")
    assert [row["response"] for row in partial] == ["partial"]
    critical, _pages = every_page(client, "/api/v1/answers/", auth, critical="true")
    assert critical and all(row["critical"] for row in critical)
    expected = checklist.answers.filter(item__critical=True).count()
    assert len(critical) == expected
    by_checklist, _pages = every_page(client, "/api/v1/answers/", auth, checklist=checklist.pk)
    assert len(by_checklist) == checklist.answers.count()
    none, _pages = every_page(client, "/api/v1/answers/", auth, checklist_phase="evaluation")
    assert none == []


def test_bad_filters_are_refused_with_clear_messages_in_the_users_language(client, world, staff_a):
    auth = bearer(staff_a)
    response = client.get(
        "/api/v1/answers/", {"critical": "maybe", "active_from": "2026-13-01"}, **auth
    )
    assert response.status_code == 400
    body = response.json()
    assert body["active_from"] == ["Enter a valid date."]
    assert "critical" in body
    french = client.get(
        "/api/v1/projects/", {"phase": "nowhere"}, HTTP_ACCEPT_LANGUAGE="fr", **auth
    ).json()
    with translation.override("fr"):
        from checklists.api.filters import PHASE_UNKNOWN

        assert french == {"phase": [str(PHASE_UNKNOWN)]}
    assert "design" in french["phase"][0]


def test_dashboard_filters_narrow_every_list(client, world, hq_manager):
    auth = bearer(hq_manager)
    rows, _pages = every_page(client, "/api/v1/checklists/", auth, office="JOR")
    assert {row["project_code"] for row in rows} == {"JOR-API-01"}
    rows, _pages = every_page(
        client, "/api/v1/reviews/", auth, region=world["project_a"].office.region.code, office="IRQ"
    )
    assert {row["project_code"] for row in rows} == {"IRQ-API-01"}
    rows, _pages = every_page(client, "/api/v1/projects/", auth, phase="endorsement")
    assert len(rows) == 2
    rows, _pages = every_page(client, "/api/v1/projects/", auth, phase="design")
    assert rows == []


def test_action_points_with_their_state(client, world, staff_a):
    rows, _pages = every_page(client, "/api/v1/action-points/", bearer(staff_a))
    by_description = {row["description"]: row for row in rows}
    from_answer = by_description["Action of IRQ-API-01"]
    condition = by_description["Condition of IRQ-API-01"]
    assert from_answer["state"] == "overdue"  # due in 2020
    assert from_answer["item"] and from_answer["checklist"] == world["checklist_a"].pk
    assert condition["state"] == "open"
    assert condition["review"] == world["checklist_a"].reviews.get().pk
    assert condition["checklist"] == world["checklist_a"].pk
    overdue, _pages = every_page(client, "/api/v1/action-points/", bearer(staff_a), state="overdue")
    assert [row["description"] for row in overdue] == ["Action of IRQ-API-01"]


def test_reviews_with_decision_and_conditions(client, world, staff_a):
    rows, _pages = every_page(client, "/api/v1/reviews/", bearer(staff_a))
    assert len(rows) == 1
    review = rows[0]
    assert review["decision"] == "approved_with_conditions"
    assert review["comment"] == "Review of IRQ-API-01"
    assert review["reviewer"] == "focal_a"
    assert len(review["conditions"]) == 1


def test_archived_projects_only_when_asked(client, world, staff_a):
    project = world["project_a"]
    project.archived = True
    project.save()
    auth = bearer(staff_a)
    assert every_page(client, "/api/v1/projects/", auth)[0] == []
    rows, _pages = every_page(client, "/api/v1/projects/", auth, archived="true")
    assert [row["code"] for row in rows] == ["IRQ-API-01"]
    assert client.get(f"/api/v1/projects/{project.pk}/", **auth).status_code == 200


def test_cursor_pages_give_every_row_once(client, world, staff_a):
    auth = bearer(staff_a)
    expected = world["checklist_a"].answers.count()
    rows, pages = every_page(client, "/api/v1/answers/", auth, page_size=7)
    assert len(rows) == expected
    assert len({row["id"] for row in rows}) == expected
    assert pages == -(-expected // 7)
    # Page sizes are capped: a client cannot ask for everything at once.
    big = client.get("/api/v1/answers/", {"page_size": 100000}, **auth).json()
    assert len(big["results"]) == min(expected, 1000)


def test_the_api_only_reads(client, world, staff_a):
    auth = bearer(staff_a)
    checklist = world["checklist_a"]
    answer = checklist.answers.first()
    for method in ("post", "put", "patch", "delete"):
        for url in ("/api/v1/answers/", f"/api/v1/answers/{answer.pk}/"):
            response = getattr(client, method)(url, {"response": "no"}, **auth)
            assert response.status_code == 405, (method, url)
    answer.refresh_from_db()
    assert answer.response == "yes"


@pytest.mark.parametrize("url", ["projects", "checklists", "answers", "action-points", "reviews"])
def test_no_query_per_row(client, office_a, staff_a, focal_a, query_count, url):
    auth = bearer(staff_a)
    reviewed_project(office=office_a, staff=staff_a, focal=focal_a, code="IRQ-Q-01")
    client.get(f"/api/v1/{url}/", **auth)  # the token's first use of the minute is recorded
    small, response = query_count(lambda: client.get(f"/api/v1/{url}/", **auth))
    assert response.status_code == 200 and response.json()["results"]
    for n in range(2, 5):
        reviewed_project(office=office_a, staff=staff_a, focal=focal_a, code=f"IRQ-Q-0{n}")
    large, response = query_count(lambda: client.get(f"/api/v1/{url}/", **auth))
    assert len(response.json()["results"]) > 1
    assert small == large
    assert large <= 10


def test_openapi_schema_describes_every_list_and_the_token(client, db):
    from drf_spectacular.validation import validate_schema

    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)  # raises on an invalid OpenAPI 3 document
    for name in ("projects", "checklists", "answers", "action-points", "reviews"):
        assert f"/api/v1/{name}/" in schema["paths"]
        assert f"/api/v1/{name}/{{id}}/" in schema["paths"]
    assert schema["components"]["securitySchemes"]["accessToken"]["scheme"] == "bearer"
    answer_filters = {p["name"] for p in schema["paths"]["/api/v1/answers/"]["get"]["parameters"]}
    assert {"office", "region", "sector", "phase", "checklist", "response", "cursor"} <= (
        answer_filters
    )
    assert not any(
        method in schema["paths"]["/api/v1/answers/"] for method in ("post", "put", "delete")
    )


def test_unknown_api_address_is_a_json_404(client, staff_a):
    response = client.get("/api/v1/nothing-here/", **bearer(staff_a))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_a_second_project_of_the_office_is_listed(client, world, staff_a, office_a):
    make_project(office=office_a, code="IRQ-API-02")
    rows, _pages = every_page(client, "/api/v1/projects/", bearer(staff_a))
    assert [row["code"] for row in rows] == ["IRQ-API-01", "IRQ-API-02"]
