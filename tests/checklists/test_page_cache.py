"""Checklist and project pages kept rendered between visits (checklists/views/page_cache.py):
every change shows on the next visit, each visitor gets their own CSRF token, role and
language, and a kept page runs few queries whatever its size."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from checklists import workflow
from checklists.models import Decision
from checklists.views import rows
from projects.forms import population_field_name

from ..factories import answer_data, make_checklist, make_project, make_user
from ..projects.test_project_form import project_data

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def page(client, checklist) -> str:
    response = client.get(reverse("checklists:detail", args=[checklist.pk]))
    assert response.status_code == 200
    return response.content.decode()


def save(checklist, user, *, index=0, **values):
    answer = checklist.answers.order_by("item__order")[index]
    workflow.save_answer(
        checklist=checklist,
        answer_id=answer.pk,
        user=user,
        values=workflow.AnswerInput(**values),
        based_on_version=answer.version,
    )
    return answer


def test_every_workflow_change_shows_on_the_next_visit(client, staff_a, focal_a, project_a):
    checklist = make_checklist(project=project_a, user=staff_a, item_count=3)
    client.force_login(staff_a)
    assert "0 of 3 items answered" in page(client, checklist)
    assert "0 of 3 items answered" in page(client, checklist)  # kept

    save(checklist, staff_a, response="yes", comment="Checked with the women's committee.")
    body = page(client, checklist)
    assert "1 of 3 items answered" in body
    assert "Checked with the women&#x27;s committee." in body

    answer = save(checklist, staff_a, index=1, response="no", action_description="Add ramps.")
    assert "Add ramps." in page(client, checklist)

    workflow.attach_evidence(
        checklist=checklist,
        answer_id=answer.pk,
        user=staff_a,
        upload=SimpleUploadedFile("site-visit.pdf", PDF),
    )
    assert "Evidence files (1)" in page(client, checklist)

    save(checklist, staff_a, index=1, response="yes")
    save(checklist, staff_a, index=2, response="yes")
    workflow.submit_checklist(checklist=checklist, user=staff_a)
    body = page(client, checklist)
    assert "This checklist has been submitted: it is read-only." in body
    assert "checklist-form" not in body

    workflow.decide_checklist(
        checklist=checklist,
        reviewer=focal_a,
        decision=Decision.RETURNED,
        comment="Please say who was consulted.",
        item_comments={answer.pk: "Which sites have ramps?"},
    )
    body = page(client, checklist)
    assert "Which sites have ramps?" in body
    assert "checklist-form" in body  # editable again


def test_a_change_committed_while_the_page_renders_shows_on_the_next_visit(
    client, staff_a, project_a, monkeypatch
):
    """The revision is read before the answers: a save that lands between the two leaves
    the page kept under the older revision, never under the newer one."""
    checklist = make_checklist(project=project_a, user=staff_a, item_count=3)
    client.force_login(staff_a)
    real_item_rows = rows.item_rows
    landed = []

    def item_rows_then_a_save(answers, **kwargs):
        built = real_item_rows(answers, **kwargs)
        if not landed:  # someone else's save commits just after the answers were read
            landed.append(save(checklist, staff_a, response="partial", comment="Late save."))
        return built

    monkeypatch.setattr(rows, "item_rows", item_rows_then_a_save)
    assert "Late save." not in page(client, checklist)
    assert "Late save." in page(client, checklist)


def csrf_token_of(body: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)" form="checklist-form"', body)[1]


def test_each_visitor_gets_their_own_csrf_token_with_a_kept_page(staff_a, project_a):
    checklist = make_checklist(project=project_a, user=staff_a, item_count=2)
    colleague = make_user(office=project_a.office, role="staff")
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(staff_a)
    second.force_login(colleague)
    first_token = csrf_token_of(page(first, checklist))
    second_token = csrf_token_of(page(second, checklist))  # the kept page, new token
    assert first_token != second_token
    answer = checklist.answers.order_by("item__order").first()
    response = second.post(
        reverse("checklists:save", args=[checklist.pk]),
        {
            "csrfmiddlewaretoken": second_token,
            "action": "save",
            **answer_data(answer, response="yes"),
        },
    )
    assert response.status_code == 302
    answer.refresh_from_db()
    assert answer.response == "yes" and answer.updated_by == colleague


def test_role_and_language_each_get_their_own_page(client, staff_a, manager_a, project_a):
    checklist = make_checklist(project=project_a, user=staff_a, item_count=2)
    client.force_login(staff_a)
    assert "Submit for review" in page(client, checklist)
    client.force_login(manager_a)
    body = page(client, checklist)
    assert "You can read this checklist." in body and "Submit for review" not in body
    client.force_login(staff_a)
    client.post(reverse("switch-language"), {"language": "fr", "next": "/"})
    assert "Soumettre pour examen" in page(client, checklist)


def test_the_people_an_action_point_may_name_are_current(client, staff_a, project_a):
    checklist = make_checklist(project=project_a, user=staff_a, item_count=2)
    save(checklist, staff_a, response="no", action_description="Add ramps.")
    client.force_login(staff_a)
    assert "Amira Haddad" not in page(client, checklist)
    make_user(office=project_a.office, role="staff", first_name="Amira", last_name="Haddad")
    assert "Amira Haddad" in page(client, checklist)


def test_project_page_shows_every_change_on_the_next_visit(
    client, staff_a, focal_a, office_a, project_a
):
    checklist = make_checklist(
        project=project_a, user=staff_a, item_count=2, phase_code="endorsement"
    )
    url = reverse("checklists:project", args=[project_a.pk])
    client.force_login(staff_a)
    assert "Protection endorsement: not yet endorsed." in client.get(url).content.decode()
    assert "rating-percent" not in client.get(url).content.decode()  # kept: no score yet

    save(checklist, staff_a, response="no", action_description="Add ramps.")
    body = client.get(url).content.decode()
    assert "1 open action point" in body and '<span class="rating-percent">0%</span>' in body

    field = population_field_name("female", "6-17", True)
    data = project_data(office_a, code=project_a.code, title=project_a.title, **{field: "77"})
    assert client.post(reverse("projects:update", args=[project_a.pk]), data).status_code == 302
    assert "129 people in all, of whom 89 with a disability" in client.get(url).content.decode()

    save(checklist, staff_a, response="yes")
    save(checklist, staff_a, index=1, response="yes")
    workflow.submit_checklist(checklist=checklist, user=staff_a)
    workflow.decide_checklist(checklist=checklist, reviewer=focal_a, decision=Decision.APPROVED)
    assert "Endorsed on" in client.get(url).content.decode()


def test_kept_pages_run_a_fixed_number_of_queries(client, staff_a, office_a, query_count):
    client.force_login(staff_a)
    counts = []
    for item_count in (20, 150):
        project = make_project(office=office_a)
        checklist = make_checklist(project=project, user=staff_a, item_count=item_count)
        save(checklist, staff_a, response="partial", action_description="Act.")
        for url in (
            reverse("checklists:detail", args=[checklist.pk]),
            reverse("checklists:project", args=[project.pk]),
        ):
            client.get(url)  # rendered and kept
            queries, response = query_count(lambda url=url: client.get(url))
            assert response.status_code == 200
            counts.append(queries)
    # Session, user, memberships, the offices they cover (the office tree), the checklist or
    # project, its revision (and the people action points may name): the answers, scores
    # and items are not read again.
    assert counts[:2] == counts[2:] and counts[0] <= 7 and counts[1] <= 6, counts
