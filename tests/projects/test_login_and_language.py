import pytest
from django.conf import settings
from django.urls import reverse

from projects.models import Profile

pytestmark = pytest.mark.django_db


def every_page(project):
    return [
        reverse("checklists:home"),
        reverse("projects:create"),
        reverse("checklists:project", args=[project.pk]),
        reverse("projects:update", args=[project.pk]),
        reverse("checklists:guidance"),
    ]


def test_every_page_but_login_requires_a_logged_in_user(client, project_a):
    for url in every_page(project_a):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url
    assert client.get(reverse("login")).status_code == 200


def test_login_then_home_shows_the_users_projects(client, staff_a, project_a):
    response = client.post(reverse("login"), {"username": "staff_a", "password": "pw"}, follow=True)
    assert response.status_code == 200
    assert project_a.code in response.content.decode()


def test_wrong_password_gives_a_clear_message(client, staff_a):
    response = client.post(reverse("login"), {"username": "staff_a", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_switching_to_french_holds_for_the_session_and_leaves_the_default(
    client, staff_a, project_a
):
    client.force_login(staff_a)
    response = client.post(reverse("switch-language"), {"language": "fr", "next": "/"}, follow=True)
    body = response.content.decode()
    assert '<html lang="fr" dir="ltr">' in body
    assert "Projets" in body and "Élaboration et conception du projet" in body
    # A switch is for this visit: the profile's default changes only on the settings page.
    assert not Profile.objects.filter(user=staff_a, language="fr").exists()

    # A new session (another browser) starts in the default language again.
    client.logout()
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
    response = client.post(reverse("login"), {"username": "staff_a", "password": "pw"}, follow=True)
    assert '<html lang="en" dir="ltr">' in response.content.decode()


def test_the_settings_page_changes_the_default_language_and_time_zone(client, staff_a):
    client.force_login(staff_a)
    response = client.post(
        reverse("projects:settings"),
        {"language": "fr", "time_zone": "Asia/Baghdad"},
        follow=True,
    )
    assert response.status_code == 200
    assert '<html lang="fr" dir="ltr">' in response.content.decode()
    profile = Profile.objects.get(user=staff_a)
    assert (profile.language, profile.time_zone) == ("fr", "Asia/Baghdad")

    client.logout()
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
    response = client.post(reverse("login"), {"username": "staff_a", "password": "pw"}, follow=True)
    assert '<html lang="fr" dir="ltr">' in response.content.decode()


def test_settings_refuse_an_unknown_time_zone_with_a_message(client, staff_a):
    client.force_login(staff_a)
    response = client.post(
        reverse("projects:settings"), {"language": "en", "time_zone": "Mars/Olympus"}
    )
    assert response.status_code == 200
    assert "Unknown time zone" in response.content.decode()
    assert not Profile.objects.filter(user=staff_a, time_zone="Mars/Olympus").exists()


def test_a_language_picked_on_the_login_page_holds_after_login(client, staff_a):
    Profile.objects.create(user=staff_a, language="en")
    client.post(reverse("switch-language"), {"language": "fr", "next": reverse("login")})
    response = client.post(reverse("login"), {"username": "staff_a", "password": "pw"}, follow=True)
    assert '<html lang="fr" dir="ltr">' in response.content.decode()
    assert Profile.objects.get(user=staff_a).language == "en"


def test_without_a_choice_on_the_login_page_the_profile_language_applies(client, staff_a):
    Profile.objects.create(user=staff_a, language="fr")
    response = client.post(reverse("login"), {"username": "staff_a", "password": "pw"}, follow=True)
    assert '<html lang="fr" dir="ltr">' in response.content.decode()


def test_unknown_language_is_refused(client, staff_a):
    client.force_login(staff_a)
    response = client.post(reverse("switch-language"), {"language": "xx", "next": "/"})
    assert response.status_code == 400


def test_language_switch_refuses_get(client, staff_a):
    client.force_login(staff_a)
    assert client.get(reverse("switch-language")).status_code == 405


def test_language_can_be_switched_on_the_login_page(client):
    response = client.post(
        reverse("switch-language"), {"language": "fr", "next": reverse("login")}, follow=True
    )
    assert "Connexion" in response.content.decode()


def test_person_filter_names_people_and_tolerates_nobody(staff_a):
    from projects.templatetags.people import person

    assert person(None) == "—"
    assert person(staff_a) == "staff_a"
    staff_a.first_name, staff_a.last_name = "Layla", "Hassan"
    assert person(staff_a) == "Layla Hassan"
