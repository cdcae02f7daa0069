"""Personal access tokens for the read API: made and revoked in "Your settings", shown once,
stored hashed, with an expiry, read only, rate-limited, and never wider than their owner."""

import datetime
import hashlib
import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from projects.access_tokens import issue_token
from projects.models import AccessToken, Membership

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit(settings):
    settings.API_RATE_LIMIT = "10000/min"
    cache.clear()


def create_on_page(client, name="Power BI", lifetime_days=90, password="pw"):
    response = client.post(
        reverse("projects:access-tokens"),
        {"name": name, "lifetime_days": lifetime_days, "password": password},
    )
    match = re.search(
        r'id="new-token-value" type="text" value="(pmat_[^"]+)"', response.content.decode()
    )
    return response, match[1] if match else None


def api(client, secret, url="/api/v1/projects/", **extra):
    return client.get(url, HTTP_AUTHORIZATION=f"Bearer {secret}", **extra)


def test_a_token_is_shown_once_and_stored_hashed(client, staff_a, project_a):
    client.force_login(staff_a)
    response, secret = create_on_page(client)
    assert response.status_code == 201
    assert secret is not None
    assert response["Cache-Control"] == "no-store"
    token = AccessToken.objects.get(user=staff_a)
    assert token.name == "Power BI"
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.startswith(token.prefix) and len(token.prefix) < len(secret) // 3
    assert secret not in str(list(AccessToken.objects.values()))
    assert (token.expires_at - timezone.now()).days in (89, 90)
    # The list shows its start and name, never the secret again.
    page = client.get(reverse("projects:access-tokens")).content.decode()
    assert "Power BI" in page and token.prefix in page
    assert secret not in page
    # It opens the API as its owner.
    listed = api(client.__class__(), secret).json()["results"]
    assert [row["code"] for row in listed] == [project_a.code]


def test_the_page_refuses_a_blank_name_and_a_made_up_lifetime(client, staff_a):
    client.force_login(staff_a)
    response, secret = create_on_page(client, name="   ")
    assert response.status_code == 400 and secret is None
    assert "Say what the token is for." in response.content.decode()
    response, secret = create_on_page(client, lifetime_days=100000)
    assert response.status_code == 400 and secret is None
    assert not AccessToken.objects.exists()


def test_a_person_holds_a_limited_number_of_valid_tokens(client, staff_a, settings):
    settings.API_TOKEN_MAX_ACTIVE = 2
    client.force_login(staff_a)
    assert create_on_page(client, name="one")[0].status_code == 201
    assert create_on_page(client, name="two")[0].status_code == 201
    response, secret = create_on_page(client, name="three")
    assert response.status_code == 400 and secret is None
    assert "You already have 2 valid tokens" in response.content.decode()
    # Revoking one makes room.
    client.post(reverse("projects:access-token-revoke", args=[AccessToken.objects.first().pk]))
    assert create_on_page(client, name="three")[0].status_code == 201


def test_a_revoked_token_no_longer_opens_the_api(client, staff_a, project_a):
    client.force_login(staff_a)
    _response, secret = create_on_page(client)
    token = AccessToken.objects.get()
    reader = client.__class__()
    assert api(reader, secret).status_code == 200
    response = client.post(reverse("projects:access-token-revoke", args=[token.pk]), follow=True)
    assert "no longer opens the API" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    refused = api(reader, secret)
    assert refused.status_code == 401
    assert refused.json()["detail"] == (
        "This access token was revoked. Create a new one in Your settings."
    )
    assert refused["WWW-Authenticate"].startswith("Bearer")


def test_nobody_revokes_another_persons_token(client, staff_a, outsider_b, focal_a):
    token, secret = issue_token(user=staff_a, name="mine", lifetime_days=30)
    for other in (outsider_b, focal_a):
        client.force_login(other)
        response = client.post(reverse("projects:access-token-revoke", args=[token.pk]))
        assert response.status_code == 404
        assert "mine" not in client.get(reverse("projects:access-tokens")).content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None
    assert api(client.__class__(), secret).status_code == 200


def test_revoking_needs_a_post(client, staff_a):
    token, _secret = issue_token(user=staff_a, name="mine", lifetime_days=30)
    client.force_login(staff_a)
    assert client.get(reverse("projects:access-token-revoke", args=[token.pk])).status_code == 405


def test_an_expired_token_is_refused_and_says_when_it_expired(client, staff_a):
    token, secret = issue_token(user=staff_a, name="old", lifetime_days=30)
    token.expires_at = timezone.now() - datetime.timedelta(minutes=1)
    token.save()
    response = api(client, secret)
    assert response.status_code == 401
    assert response.json()["detail"].startswith("This access token expired on ")


@pytest.mark.parametrize(
    "header",
    ["Bearer pmat_not-a-real-token", "Bearer", "Bearer one two", "Bearer \u00e9t\u00e9"],
)
def test_a_wrong_token_is_refused_never_ignored(client, staff_a, header):
    client.force_login(staff_a)  # even with a session: a bad token is an error, not a fallback
    response = client.get("/api/v1/projects/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["detail"]


def test_without_credentials_the_api_answers_401_not_the_login_page(client, db):
    response = client.get("/api/v1/answers/")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"


def test_a_token_of_another_office_sees_nothing_of_this_one(client, project_a, outsider_b):
    _token, secret = issue_token(user=outsider_b, name="B", lifetime_days=30)
    assert api(client, secret).json()["results"] == []
    response = api(client, secret, f"/api/v1/projects/{project_a.pk}/")
    assert response.status_code == 404
    assert project_a.code not in response.content.decode()


def test_a_removed_membership_narrows_the_token_at_once(client, staff_a, project_a):
    _token, secret = issue_token(user=staff_a, name="mine", lifetime_days=30)
    assert api(client, secret, f"/api/v1/projects/{project_a.pk}/").status_code == 200
    Membership.objects.filter(user=staff_a).delete()
    assert api(client, secret, f"/api/v1/projects/{project_a.pk}/").status_code == 404


def test_a_disabled_account_cannot_use_its_tokens(client, staff_a):
    _token, secret = issue_token(user=staff_a, name="mine", lifetime_days=30)
    staff_a.is_active = False
    staff_a.save()
    response = api(client, secret)
    assert response.status_code == 401
    assert response.json()["detail"] == "This account is disabled."


def test_tokens_are_rate_limited_each_on_its_own(client, staff_a, settings):
    settings.API_RATE_LIMIT = "3/min"
    _one, first = issue_token(user=staff_a, name="one", lifetime_days=30)
    _two, second = issue_token(user=staff_a, name="two", lifetime_days=30)
    assert [api(client, first).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert "Retry-After" in api(client, first)
    assert api(client, second).status_code == 200


def test_last_use_is_recorded(client, staff_a):
    token, secret = issue_token(user=staff_a, name="mine", lifetime_days=30)
    assert token.last_used_at is None
    api(client, secret)
    token.refresh_from_db()
    assert token.last_used_at is not None
    client.force_login(staff_a)
    page = client.get(reverse("projects:access-tokens")).content.decode()
    assert "Never" not in page


def test_refusals_speak_the_users_language(client, staff_a):
    response = client.get(
        "/api/v1/projects/",
        HTTP_AUTHORIZATION="Bearer pmat_nothing",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 401
    assert response.json()["detail"].startswith("Ce jeton d’accès n’est pas valide")


def test_the_settings_page_leads_to_the_tokens(client, staff_a):
    client.force_login(staff_a)
    page = client.get(reverse("projects:settings")).content.decode()
    assert reverse("projects:access-tokens") in page
