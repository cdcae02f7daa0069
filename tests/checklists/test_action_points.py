import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from checklists.models import ActionPoint, AuditAction, AuditEntry
from projects.models import Role

from ..factories import make_checklist, make_project, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def action_points(project_a, staff_a, focal_a):
    """Three action points of project A: overdue (owned by the focal point), open, done."""
    checklist = make_checklist(project=project_a, user=staff_a, item_count=3)
    answers = list(checklist.answers.select_related("item").order_by("item__order"))
    today = timezone.localdate()
    overdue = ActionPoint.objects.create(
        project=project_a,
        answer=answers[0],
        description="Map referral pathways",
        owner=focal_a,
        due_date=today - datetime.timedelta(days=3),
    )
    upcoming = ActionPoint.objects.create(
        project=project_a,
        answer=answers[1],
        description="Budget accessible latrines",
        owner=staff_a,
        due_date=today + datetime.timedelta(days=10),
    )
    done = ActionPoint.objects.create(
        project=project_a,
        answer=answers[2],
        description="Train staff on PSEA",
        owner=staff_a,
        due_date=today - datetime.timedelta(days=20),
        done_on=today - datetime.timedelta(days=21),
        done_note="All 24 staff trained",
    )
    return overdue, upcoming, done


def page(client, project, view=None):
    url = reverse("checklists:action-points", args=[project.pk])
    return client.get(url, {"view": view} if view else {}).content.decode()


def test_tabs_list_open_overdue_and_done_action_points(client, staff_a, project_a, action_points):
    overdue, upcoming, done = action_points
    client.force_login(staff_a)
    open_page = page(client, project_a)
    assert overdue.description in open_page and upcoming.description in open_page
    assert done.description not in open_page
    assert "2 open, of which 1 overdue." in open_page
    overdue_page = page(client, project_a, "overdue")
    assert overdue.description in overdue_page and upcoming.description not in overdue_page
    done_page = page(client, project_a, "done")
    assert done.description in done_page and "All 24 staff trained" in done_page
    assert overdue.description in page(client, project_a, "all")


def test_owner_marks_an_action_point_done_with_date_and_note(
    client, focal_a, project_a, action_points
):
    overdue, _upcoming, _done = action_points
    client.force_login(focal_a)
    prefix = f"ap{overdue.pk}"
    response = client.post(
        reverse("checklists:action-point-done", args=[overdue.pk]),
        {
            f"{prefix}-done_on": timezone.localdate().isoformat(),
            f"{prefix}-done_note": "Pathways mapped",
        },
    )
    assert response.status_code == 302
    overdue.refresh_from_db()
    assert overdue.done_on == timezone.localdate() and overdue.done_note == "Pathways mapped"
    entry = AuditEntry.objects.get(action=AuditAction.ACTION_POINT_DONE)
    assert entry.actor == focal_a and entry.changes["done_note"] == ["", "Pathways mapped"]
    assert "Action point marked as done." in client.get(response["Location"]).content.decode()


def test_done_date_in_the_future_or_missing_is_refused(client, staff_a, project_a, action_points):
    _overdue, upcoming, _done = action_points
    client.force_login(staff_a)
    prefix = f"ap{upcoming.pk}"
    url = reverse("checklists:action-point-done", args=[upcoming.pk])
    future = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    response = client.post(url, {f"{prefix}-done_on": future, f"{prefix}-done_note": "Typed note"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "cannot be in the future" in body and "Typed note" in body
    response = client.post(url, {f"{prefix}-done_on": "", f"{prefix}-done_note": ""})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    upcoming.refresh_from_db()
    assert upcoming.done_on is None


def test_manager_who_does_not_own_it_cannot_mark_it_done(
    client, manager_a, project_a, action_points
):
    overdue, _upcoming, _done = action_points
    client.force_login(manager_a)
    assert "Mark as done" not in page(client, project_a)
    response = client.post(
        reverse("checklists:action-point-done", args=[overdue.pk]),
        {f"ap{overdue.pk}-done_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 403
    overdue.refresh_from_db()
    assert overdue.done_on is None


def test_outsider_gets_404_on_list_and_action(client, outsider_b, project_a, action_points):
    overdue, _upcoming, _done = action_points
    client.force_login(outsider_b)
    assert client.get(reverse("checklists:action-points", args=[project_a.pk])).status_code == 404
    response = client.post(reverse("checklists:action-point-done", args=[overdue.pk]), {})
    assert response.status_code == 404


def test_marking_done_refuses_get(client, staff_a, action_points):
    client.force_login(staff_a)
    url = reverse("checklists:action-point-done", args=[action_points[0].pk])
    assert client.get(url).status_code == 405


def test_action_point_list_runs_a_fixed_number_of_queries(client, staff_a, office_a, query_count):
    client.force_login(staff_a)
    counts = []
    for count in (2, 30):
        project = make_project(office=office_a)
        checklist = make_checklist(project=project, user=staff_a, item_count=count)
        owner = make_user(office=office_a, role=Role.STAFF)
        for answer in checklist.answers.all():
            ActionPoint.objects.create(
                project=project,
                answer=answer,
                description="Act",
                owner=owner,
                due_date=timezone.localdate(),
            )
        url = reverse("checklists:action-points", args=[project.pk])
        queries, response = query_count(lambda url=url: client.get(url, {"view": "all"}))
        assert response.content.decode().count('class="card mb-3"') == count
        counts.append(queries)
    assert counts[0] == counts[1] <= 12, counts


def test_project_page_shows_checklists_with_scores_and_ratings(
    client, staff_a, project_a, action_points
):
    client.force_login(staff_a)
    body = client.get(reverse("checklists:project", args=[project_a.pk])).content.decode()
    assert "Draft" in body
    assert "2 open action points" in body and "1 overdue" in body
    assert "Not rated yet" in body
