"""The app's own error pages, in the user's language, also while DEBUG is on."""

import pytest
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("debug", [True, False])
def test_a_foreign_project_answers_the_apps_404_page(
    client, settings, outsider_b, project_a, debug
):
    settings.DEBUG = debug
    client.force_login(outsider_b)
    response = client.get(reverse("checklists:project", args=[project_a.pk]))
    body = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in body and "office you are not a member of" in body
    assert project_a.code not in body
    assert "URLconf" not in body and "urlpatterns" not in body  # never Django's debug page
    assert 'href="/"' in body or reverse("checklists:home") in body


def test_the_404_page_in_french(client, settings, outsider_b, project_a):
    settings.DEBUG = True
    client.force_login(outsider_b)
    client.post(reverse("switch-language"), {"language": "fr", "next": "/"})
    body = client.get(reverse("checklists:project", args=[project_a.pk])).content.decode()
    assert '<html lang="fr" dir="ltr">' in body and "Page introuvable" in body


def test_a_role_that_may_not_answers_the_apps_403_page(client, focal_a, project_a):
    client.force_login(focal_a)
    response = client.post(reverse("checklists:start", args=[project_a.pk]))
    assert response.status_code == 403
    assert "Not allowed" in response.content.decode()


def test_a_script_gets_its_errors_as_json(client, outsider_b, project_a):
    client.force_login(outsider_b)
    response = client.get(
        reverse("checklists:project", args=[project_a.pk]), HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 404 and "Page not found" not in response.content.decode()
    assert response.json()["message"]


def test_a_crash_answers_the_apps_500_page_in_the_users_language(
    client, staff_a, project_a, monkeypatch
):
    from checklists.views import overview

    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(overview, "checklist_overview", crash)
    client.raise_request_exception = False
    client.force_login(staff_a)
    response = client.get(reverse("checklists:project", args=[project_a.pk]))
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
    client.post(reverse("switch-language"), {"language": "fr", "next": "/"})
    response = client.get(reverse("checklists:project", args=[project_a.pk]))
    assert "Un problème est survenu" in response.content.decode()


def test_the_500_template_needs_no_request_or_database(django_assert_num_queries):
    from projects.middleware import server_error

    with translation.override("fr"), django_assert_num_queries(0):
        response = server_error(None)
    assert response.status_code == 500 and "Un problème est survenu" in response.content.decode()
