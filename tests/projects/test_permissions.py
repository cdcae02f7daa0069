"""Every project URL walked as each role, on a project of their own office and of another.

Outsiders get 404 (the project's existence is never confirmed), insiders without the
right role get 403, as DESIGN.md and projects/permissions.py say.
"""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

ROLES = ["staff_a", "focal_a", "manager_a", "outsider_b", "hq_manager"]

EXPECTED = {
    # url name: status for each role in ROLES order, on office A's project
    "checklists:project": [200, 200, 200, 404, 200],
    "projects:update": [200, 403, 403, 404, 403],
}
CREATE_EXPECTED = [200, 403, 403, 200, 403]


@pytest.mark.parametrize("url_name", EXPECTED)
@pytest.mark.parametrize("role_index", range(len(ROLES)))
def test_project_urls_by_role_and_office(client, request, project_a, url_name, role_index):
    user = request.getfixturevalue(ROLES[role_index])
    client.force_login(user)
    response = client.get(reverse(url_name, args=[project_a.pk]))
    assert response.status_code == EXPECTED[url_name][role_index]
    if response.status_code == 404:
        assert project_a.title not in response.content.decode()


@pytest.mark.parametrize("role_index", range(len(ROLES)))
def test_create_page_by_role(client, request, role_index):
    client.force_login(request.getfixturevalue(ROLES[role_index]))
    assert client.get(reverse("projects:create")).status_code == CREATE_EXPECTED[role_index]
