import pytest
from django.urls import reverse

from projects.models import Role

from ..factories import make_checklist, make_office, make_project, make_user

pytestmark = pytest.mark.django_db


def test_list_shows_only_projects_of_the_users_offices(client, staff_a, project_a, project_b):
    client.force_login(staff_a)
    body = client.get(reverse("checklists:home")).content.decode()
    assert project_a.code in body
    assert project_b.code not in body and project_b.title not in body


def test_hq_manager_sees_every_office(client, hq_manager, project_a, project_b):
    client.force_login(hq_manager)
    body = client.get(reverse("checklists:home")).content.decode()
    assert project_a.code in body and project_b.code in body
    assert client.get(reverse("checklists:project", args=[project_b.pk])).status_code == 200


def test_user_of_another_office_gets_404_on_detail_and_edit(client, outsider_b, project_a):
    client.force_login(outsider_b)
    for name in ("checklists:project", "projects:update"):
        response = client.get(reverse(name, args=[project_a.pk]))
        assert response.status_code == 404
        assert project_a.title not in response.content.decode()


def test_unknown_project_is_404_like_a_foreign_one(client, staff_a):
    client.force_login(staff_a)
    assert client.get(reverse("checklists:project", args=[999999])).status_code == 404


@pytest.mark.parametrize("role", [Role.FOCAL_POINT, Role.MANAGER])
def test_focal_points_and_managers_read_but_do_not_edit(client, office_a, project_a, role):
    user = make_user(office=office_a, role=role)
    client.force_login(user)
    detail = client.get(reverse("checklists:project", args=[project_a.pk]))
    assert detail.status_code == 200
    assert "Edit project" not in detail.content.decode()
    assert client.get(reverse("projects:update", args=[project_a.pk])).status_code == 403
    assert client.get(reverse("projects:create")).status_code == 403
    assert client.post(reverse("projects:update", args=[project_a.pk]), {}).status_code == 403


def test_filter_by_office_cannot_reach_a_foreign_office(client, staff_a, office_b, project_b):
    client.force_login(staff_a)
    response = client.get(reverse("checklists:home"), {"office": office_b.pk})
    assert project_b.code not in response.content.decode()


def test_archived_projects_are_hidden_unless_asked(client, staff_a, office_a):
    make_project(office=office_a, code="IRQ-OLD", archived=True)
    client.force_login(staff_a)
    assert "IRQ-OLD" not in client.get(reverse("checklists:home")).content.decode()
    shown = client.get(reverse("checklists:home"), {"archived": "on"}).content.decode()
    assert "IRQ-OLD" in shown


def test_project_list_runs_a_fixed_number_of_queries(client, staff_a, office_a, query_count):
    other_office = make_office()
    client.force_login(staff_a)
    counts, made = [], 0
    for count in (3, 40):
        for _ in range(count - made):
            make_project(office=office_a)
            make_project(office=other_office)
        made = count
        queries, response = query_count(lambda: client.get(reverse("checklists:home")))
        assert response.status_code == 200
        assert len(response.context["projects"]) == min(count, 25)
        counts.append(queries)
    assert counts[0] == counts[1] <= 14, counts


def test_project_detail_runs_a_fixed_number_of_queries(client, staff_a, office_a, query_count):
    client.force_login(staff_a)
    counts = []
    for rounds in (1, 6):
        project = make_project(office=office_a)
        for round_number in range(1, rounds + 1):
            make_checklist(
                project=project,
                user=staff_a,
                item_count=12,
                phase_code="implementation",
                round=round_number,
            )
        url = reverse("checklists:project", args=[project.pk])
        queries, response = query_count(lambda url=url: client.get(url))
        assert response.status_code == 200
        assert response.content.decode().count("round ") >= rounds
        counts.append(queries)
    assert counts[0] == counts[1] <= 16, counts
