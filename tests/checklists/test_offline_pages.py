"""What the app serves so that it works without a connection."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_service_worker_is_served_at_the_root_and_never_kept_stale(client):
    response = client.get(reverse("checklists:service-worker"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    assert 'addEventListener("fetch"' in body and "pmapp-pages" in body
    assert reverse("checklists:service-worker") == "/sw.js"  # its scope is the whole app


def test_the_offline_page_says_what_needs_a_connection_in_the_users_language(client, staff_a):
    response = client.get(reverse("checklists:offline"))
    assert response.status_code == 200
    assert "This page needs a connection" in response.content.decode()
    client.force_login(staff_a)
    client.post(reverse("switch-language"), {"language": "fr", "next": "/"})
    body = client.get(reverse("checklists:offline")).content.decode()
    assert "Cette page demande une connexion" in body


def test_the_manifest_makes_the_app_installable(client):
    manifest = client.get(reverse("checklists:manifest")).json()
    assert manifest["start_url"] == "/" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone" and manifest["icons"]


def test_every_page_registers_the_worker_and_names_its_user(client, staff_a):
    client.force_login(staff_a)
    body = client.get(reverse("checklists:home")).content.decode()
    assert f'data-user="{staff_a.pk}"' in body
    assert "js/offline.js" in body and "js/outbox.js" in body
    assert 'rel="manifest"' in body
    anonymous = client.__class__().get(reverse("login")).content.decode()
    assert 'data-user=""' in anonymous
