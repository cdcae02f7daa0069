"""An account's life: tokens made only after the password, stopped by a new password and by
the provider's silence, mailed to their owner; the second factor at sign-in and at /admin/;
the password rule; where a person is signed in; "Remove access"; the lockout behind a
proxy."""

import datetime
import logging
import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from projects.access_tokens import issue_token
from projects.models import (
    AccessToken,
    AccountEvent,
    AccountEventKind,
    Membership,
    Profile,
    Role,
    SignedInSession,
)

from ..factories import app_code, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit(settings):
    from django.core.cache import cache

    settings.API_RATE_LIMIT = "10000/min"
    cache.clear()


def login(client, username, password="pw", **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def create_token(client, *, password="pw", lifetime_days=30, name="Power BI"):
    response = client.post(
        reverse("projects:access-tokens"),
        {"name": name, "lifetime_days": lifetime_days, "password": password},
    )
    match = re.search(r'id="new-token-value" type="text" value="(pmat_[^"]+)"', response.text)
    return response, match[1] if match else None


def api(secret, **extra):
    return Client().get("/api/v1/projects/", HTTP_AUTHORIZATION=f"Bearer {secret}", **extra)


def with_app(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="app", confirmed=True)


# --- Tokens -------------------------------------------------------------------------------


def test_a_token_is_refused_without_the_password(client, staff_a):
    client.force_login(staff_a)  # a live session, as at a shared computer
    response, secret = create_token(client, password="")
    assert response.status_code == 400 and secret is None
    assert "Type your password to create a token." in response.text
    response, secret = create_token(client, password="not-my-password")
    assert response.status_code == 400 and secret is None
    assert "This is not your password." in response.text
    assert not AccessToken.objects.exists()
    # The page asks for it before anyone fails.
    assert 'name="password"' in client.get(reverse("projects:access-tokens")).text


def test_wrong_passwords_on_the_token_page_count_towards_the_lockout(client, staff_a, settings):
    client.force_login(staff_a)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert create_token(client, password="wrong")[0].status_code == 400
    assert create_token(client, password="wrong")[0].status_code == 429
    assert create_token(client)[0].status_code == 429  # even the right one, while locked
    assert not AccessToken.objects.exists()


def test_a_new_token_is_mailed_to_its_owner_and_audited(
    client, staff_a, django_capture_on_commit_callbacks
):
    staff_a.email = "layla@example.org"
    staff_a.save()
    client.force_login(staff_a)
    with django_capture_on_commit_callbacks(execute=True):
        response, secret = create_token(client, name="Monthly dashboard")
    assert response.status_code == 201 and secret
    token = AccessToken.objects.get()
    [message] = mail.outbox
    assert message.to == ["layla@example.org"]
    assert message.subject == "A new API token was made for your account"
    assert "Monthly dashboard" in message.body and token.prefix in message.body
    assert secret not in message.body
    event = AccountEvent.objects.get(user=staff_a)
    assert (event.kind, event.details["prefix"]) == (AccountEventKind.TOKEN_CREATED, token.prefix)


def test_tokens_last_30_days_by_default_and_90_at_most(client, staff_a, settings):
    client.force_login(staff_a)
    page = client.get(reverse("projects:access-tokens")).text
    assert '<option value="30" selected>30 days</option>' in page
    assert 'value="365"' not in page
    assert create_token(client, lifetime_days=365)[0].status_code == 400
    response, _secret = create_token(client, lifetime_days=90)
    assert response.status_code == 201
    assert (AccessToken.objects.get().expires_at - timezone.now()).days in (89, 90)
    settings.API_TOKEN_MAX_DAYS = 60
    assert create_token(client, lifetime_days=90)[0].status_code == 400


def test_a_password_change_stops_every_token(client, staff_a, project_a):
    client.force_login(staff_a)
    _response, secret = create_token(client)
    assert api(secret).status_code == 200
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "pw",
            "new_password1": "a-Long-new-passphrase-42",
            "new_password2": "a-Long-new-passphrase-42",
        },
    )
    assert response.status_code == 302
    refused = api(secret)
    assert refused.status_code == 401
    assert AccessToken.objects.get().revoked_at is not None
    assert "Revoked" in client.get(reverse("projects:access-tokens")).text
    # This browser is still on the list of sessions, under its new key.
    assert "(this browser)" in client.get(reverse("projects:sessions")).text


def test_a_password_set_anywhere_else_stops_the_tokens_too(staff_a, project_a):
    _token, secret = issue_token(user=staff_a, name="BI", lifetime_days=30)
    assert api(secret).status_code == 200
    staff_a.set_password("set-by-an-administrator-7")  # the admin's form, a command...
    staff_a.save()
    refused = api(secret)
    assert refused.status_code == 401
    assert "stopped when your password changed" in refused.json()["detail"]


def test_deactivating_an_account_stops_its_tokens_and_sessions(admin_client, staff_a, project_a):
    _token, secret = issue_token(user=staff_a, name="BI", lifetime_days=30)
    elsewhere = Client()
    elsewhere.force_login(staff_a)
    url = reverse("admin:auth_user_change", args=[staff_a.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(
        {
            "is_active": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
            "last_login_0": "",
            "last_login_1": "",
            "profile-TOTAL_FORMS": "0",
            "profile-INITIAL_FORMS": "0",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "groups": [],
            "user_permissions": [],
        }
    )
    assert admin_client.post(url, data).status_code == 302
    staff_a.refresh_from_db()
    assert not staff_a.is_active
    assert api(secret).status_code == 401
    assert AccessToken.objects.get().revoked_at is not None
    assert elsewhere.get(reverse("checklists:home")).status_code == 302


def test_a_refused_token_is_logged_with_its_prefix_and_address(staff_a, caplog):
    token, secret = issue_token(user=staff_a, name="BI", lifetime_days=30)
    AccessToken.objects.update(revoked_at=timezone.now())
    with caplog.at_level(logging.WARNING, logger="projects.access_tokens"):
        assert api(secret, REMOTE_ADDR="198.51.100.23").status_code == 401
        assert api("pmat_madeUpTokenXYZ", REMOTE_ADDR="203.0.113.9").status_code == 401
    assert f"API token refused (revoked): '{token.prefix}' from 198.51.100.23" in caplog.text
    assert "API token refused (unknown): 'pmat_madeUp' from 203.0.113.9" in caplog.text
    assert secret not in caplog.text


def test_a_token_of_an_organisation_account_rests_once_the_provider_is_silent(
    staff_a, project_a, settings
):
    settings.API_TOKEN_PROVIDER_CHECK_HOURS = 24
    profile = Profile.objects.create(
        user=staff_a, sign_in_subject="layla-at-provider", provider_checked_at=timezone.now()
    )
    _token, secret = issue_token(user=staff_a, name="BI", lifetime_days=30)
    assert api(secret).status_code == 200
    profile.provider_checked_at = timezone.now() - datetime.timedelta(hours=25)
    profile.save()
    refused = api(secret)
    assert refused.status_code == 401
    assert "sign in to the app again with your organisation account" in refused.json()["detail"]
    # A failed session check forgets the confirmation: the token stops at once.
    profile.provider_checked_at = None
    profile.save()
    assert api(secret).status_code == 401
    # Confirmed again (a new sign-in): it works again.
    profile.provider_checked_at = timezone.now()
    profile.save()
    assert api(secret).status_code == 200


def test_an_organisation_account_makes_a_token_only_soon_after_signing_in(client, settings):
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "projects.sign_in.SignInBackend",
    ]
    user = User.objects.create_user("omar")  # no password: the organisation signs them in
    Profile.objects.create(user=user, sign_in_subject="omar", provider_checked_at=timezone.now())
    client.force_login(user, backend="projects.sign_in.SignInBackend")
    page = client.get(reverse("projects:access-tokens")).text
    assert 'name="password"' not in page  # nothing to type: the sign-in was just now
    assert create_token(client, password="")[0].status_code == 201
    SignedInSession.objects.update(signed_in_at=timezone.now() - datetime.timedelta(minutes=30))
    page = client.get(reverse("projects:access-tokens")).text
    assert "To create a token, sign in again with your organisation account" in page
    response, secret = create_token(client, password="")
    assert response.status_code == 403 and secret is None
    assert AccessToken.objects.count() == 1


# --- Second factor ------------------------------------------------------------------------


def test_the_admin_is_refused_without_the_second_factor(client):
    User.objects.create_superuser("root", "root@example.org", "a-long-admin-passphrase")
    response = login(client, "root", "a-long-admin-passphrase")
    assert response.status_code == 302 and response["Location"] == reverse("second-factor-setup")
    # The password alone opens nothing: neither the admin nor the app.
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/login/?next=%2Fadmin%2F"
    assert "Site administration" not in response.text
    assert client.get(reverse("checklists:home")).status_code == 302
    # A session opened some other way without the second factor is refused by the admin.
    other = Client()
    other.force_login(User.objects.get(username="root"))
    response = other.get("/admin/projects/office/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    assert "Site administration" not in response.text


def test_the_admin_opens_after_the_second_factor(client):
    root = User.objects.create_superuser("root", "root@example.org", "a-long-admin-passphrase")
    device = with_app(root)
    response = client.post(
        reverse("login") + "?next=/admin/",
        {"username": "root", "password": "a-long-admin-passphrase", "next": "/admin/"},
    )
    assert response["Location"] == reverse("second-factor")
    assert client.post(reverse("second-factor"), {"code": "000000"}).status_code == 400
    # django-otp makes the next try wait a little after a wrong code (a second, doubling).
    TOTPDevice.objects.update(
        throttling_failure_timestamp=timezone.now() - datetime.timedelta(seconds=5)
    )
    response = client.post(reverse("second-factor"), {"code": app_code(device)})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert "Site administration" in client.get("/admin/").text


@pytest.mark.parametrize("role", [Role.FOCAL_POINT, Role.STAFF])
def test_any_role_at_headquarters_needs_the_second_factor_and_a_country_role_does_not(
    client, hq_office, office_a, role
):
    """An HQ focal point reaches every office under headquarters (the office tree): an
    HQ-wide role, asked for the second factor as HQ managers are."""
    make_user(office=hq_office, role=role, username="hq_person")
    make_user(office=office_a, role=role, username="country_person")
    assert login(client, "hq_person")["Location"] == reverse("second-factor-setup")
    assert client.get(reverse("checklists:home")).status_code == 302
    assert login(Client(), "country_person")["Location"] != reverse("second-factor-setup")


def test_an_hq_manager_sets_up_the_app_at_the_first_sign_in(
    client, hq_manager, django_capture_on_commit_callbacks
):
    hq_manager.email = "ana@example.org"
    hq_manager.save()
    assert login(client, "hq_manager")["Location"] == reverse("second-factor-setup")
    page = client.get(reverse("second-factor-setup"))
    assert page["Cache-Control"] == "no-store"
    secret = re.search(r'id="second-factor-secret">([A-Z2-7 ]+)<', page.text)[1]
    from base64 import b32decode

    key = b32decode(secret.replace(" ", ""))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("second-factor-setup"), {"code": app_code(key=key)})
    assert response.status_code == 201
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", response.text)
    assert len(codes) == 10
    assert client.get(reverse("checklists:home")).status_code == 200  # signed in now
    assert mail.outbox[0].subject == "Two-step sign-in was turned on for your account"
    # Next time, a recovery code works once.
    again = Client()
    login(again, "hq_manager")
    assert again.post(reverse("second-factor"), {"code": codes[0]}).status_code == 302
    third = Client()
    login(third, "hq_manager")
    assert third.post(reverse("second-factor"), {"code": codes[0]}).status_code == 400


def test_framework_editors_need_it_and_staff_may_choose_it(client, framework_editor, staff_a):
    assert login(client, "framework_editor")["Location"] == reverse("second-factor-setup")
    assert login(Client(), "staff_a")["Location"] == reverse("checklists:home")
    # A member of staff who turned it on is asked for it.
    with_app(staff_a)
    assert login(Client(), "staff_a")["Location"] == reverse("second-factor")


def test_a_setting_requires_it_of_everyone(client, staff_a, settings):
    settings.SECOND_FACTOR_FOR_EVERYONE = True
    assert login(client, "staff_a")["Location"] == reverse("second-factor-setup")


def test_those_who_need_it_cannot_turn_it_off(client, hq_manager, staff_a):
    from tests.conftest import sign_in_fully

    sign_in_fully(client, hq_manager)
    assert client.post(reverse("projects:second-factor-off")).status_code == 403
    assert TOTPDevice.objects.filter(user=hq_manager).exists()
    staff = Client()
    staff.force_login(staff_a)
    with_app(staff_a)
    assert staff.post(reverse("projects:second-factor-off")).status_code == 302
    assert not TOTPDevice.objects.filter(user=staff_a).exists()
    assert login(Client(), "staff_a")["Location"] == reverse("checklists:home")


def test_new_recovery_codes_replace_the_old_ones(client, staff_a):
    with_app(staff_a)
    client.force_login(staff_a)
    first = client.post(reverse("projects:recovery-codes"))
    second = client.post(reverse("projects:recovery-codes"))
    old = re.findall(r"<li>([a-z2-7]{8})</li>", first.text)
    new = re.findall(r"<li>([a-z2-7]{8})</li>", second.text)
    assert len(new) == 10 and not set(old) & set(new)
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(new)
    assert StaticDevice.objects.filter(user=staff_a).count() == 1


def test_a_waiting_password_expires(client, hq_manager, settings):
    with_app(hq_manager)
    login(client, "hq_manager")
    session = client.session
    session["second_factor_pending"]["at"] -= 11 * 60
    session.save()
    response = client.get(reverse("second-factor"))
    assert response.status_code == 302 and response["Location"] == reverse("login")


# --- Passwords ----------------------------------------------------------------------------


def test_an_11_character_password_is_refused_and_the_rule_is_said_first(client, staff_a):
    client.force_login(staff_a)
    page = client.get(reverse("password_change")).text
    assert "Your new password needs at least 12 characters" in page
    response = client.post(
        reverse("password_change"),
        {"old_password": "pw", "new_password1": "kestrel-sky", "new_password2": "kestrel-sky"},
    )
    assert response.status_code == 200
    assert "This password is too short. It must contain at least 12 characters." in response.text
    staff_a.refresh_from_db()
    assert staff_a.check_password("pw")
    response = client.post(
        reverse("password_change"),
        {"old_password": "pw", "new_password1": "kestrel-skies", "new_password2": "kestrel-skies"},
    )
    assert response.status_code == 302
    # A common password of any length is still refused.
    assert (
        "too common"
        in client.post(
            reverse("password_change"),
            {
                "old_password": "kestrel-skies",
                "new_password1": "password1234",
                "new_password2": "password1234",
            },
        ).text
    )
    assert "Passwords have at least 12 characters" in Client().get(reverse("login")).text


# --- Where you are signed in --------------------------------------------------------------


def test_the_sessions_page_lists_and_ends_sessions(client, staff_a, outsider_b):
    laptop, phone, others = Client(), Client(), Client()
    login(laptop, "staff_a", HTTP_USER_AGENT="Laptop browser", REMOTE_ADDR="198.51.100.1")
    login(phone, "staff_a", HTTP_USER_AGENT="Phone browser", REMOTE_ADDR="198.51.100.2")
    login(others, "outsider_b", HTTP_USER_AGENT="Someone else's browser")
    page = laptop.get(reverse("projects:sessions")).text
    assert "Laptop browser" in page and "Phone browser" in page
    assert "198.51.100.2" in page and "(this browser)" in page
    assert "Someone else&#x27;s browser" not in page and "Someone else's browser" not in page
    phone_session = SignedInSession.objects.get(browser="Phone browser")
    response = laptop.post(reverse("projects:session-end", args=[phone_session.pk]))
    assert response.status_code == 302
    assert phone.get(reverse("checklists:home")).status_code == 302  # signed out
    assert laptop.get(reverse("checklists:home")).status_code == 200
    # Another person's session is not found.
    theirs = SignedInSession.objects.get(user=outsider_b)
    assert laptop.post(reverse("projects:session-end", args=[theirs.pk])).status_code == 404
    assert others.get(reverse("checklists:home")).status_code == 200


def test_sign_out_everywhere_else(client, staff_a):
    here, tablet, phone = Client(), Client(), Client()
    for browser in (here, tablet, phone):
        login(browser, "staff_a")
    assert here.post(reverse("projects:sessions-end-others")).status_code == 302
    assert here.get(reverse("checklists:home")).status_code == 200
    assert tablet.get(reverse("checklists:home")).status_code == 302
    assert phone.get(reverse("checklists:home")).status_code == 302
    assert AccountEvent.objects.get(user=staff_a).kind == AccountEventKind.SESSIONS_ENDED


# --- Remove access ------------------------------------------------------------------------


def test_remove_access_ends_sessions_revokes_tokens_and_memberships(
    admin_client, admin_user, staff_a, project_a
):
    _token, secret = issue_token(user=staff_a, name="BI", lifetime_days=30)
    laptop = Client()
    login(laptop, "staff_a")
    response = admin_client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "remove_access", "_selected_action": [staff_a.pk]},
    )
    assert response.status_code == 302
    assert laptop.get(reverse("checklists:home")).status_code == 302
    assert api(secret).status_code == 401
    assert not Membership.objects.filter(user=staff_a).exists()
    staff_a.refresh_from_db()
    assert not staff_a.is_active
    event = AccountEvent.objects.get(user=staff_a, kind=AccountEventKind.ACCESS_REMOVED)
    assert event.actor == admin_user
    assert event.details["tokens"] == 1 and event.details["sessions"] == 1
    assert event.details["memberships"] == [f"{project_a.office.code} {Role.STAFF}"]


# --- Lockout behind a proxy ---------------------------------------------------------------


PROXY = "10.0.0.1"


def test_behind_one_proxy_the_lockout_is_keyed_on_the_real_client(client, staff_a, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    attacker = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.66"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = login(Client(), "staff_a", "wrong", **attacker)
    assert response.status_code == 429
    assert login(Client(), "staff_a", "pw", **attacker).status_code == 429
    # The person, from their own address through the same proxy, still gets in.
    person = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    assert login(Client(), "staff_a", "pw", **person).status_code == 302
    # An attacker who writes the person's address in the header is not taken for them:
    # the proxy adds the attacker's own address after it.
    forged = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.7, 203.0.113.67"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(Client(), "staff_a", "wrong", **forged)
    assert login(Client(), "staff_a", "pw", **person).status_code == 302
    from axes.models import AccessAttempt

    assert "198.51.100.7" not in set(AccessAttempt.objects.values_list("ip_address", flat=True))


def test_without_a_proxy_the_header_is_ignored(client, staff_a, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(settings.AXES_FAILURE_LIMIT):
        response = login(
            Client(),
            "staff_a",
            "wrong",
            REMOTE_ADDR="203.0.113.66",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",  # a new made-up address each time
        )
    assert response.status_code == 429
    assert (
        login(
            Client(), "staff_a", "pw", REMOTE_ADDR="203.0.113.66", HTTP_X_FORWARDED_FOR="1.2.3.4"
        ).status_code
        == 429
    )
    assert login(Client(), "staff_a", "pw", REMOTE_ADDR="198.51.100.7").status_code == 302


def test_the_sessions_page_costs_the_same_queries_for_two_or_eight_sessions(
    client, staff_a, query_count
):
    login(client, "staff_a")
    url = reverse("projects:sessions")

    def sessions_page():
        response = client.get(url)
        assert response.status_code == 200
        return response

    login(Client(), "staff_a")
    small, page = query_count(sessions_page)
    assert page.text.count("<tr>") == 3  # the header and two sessions
    for _ in range(6):
        login(Client(), "staff_a")
    large, page = query_count(sessions_page)
    assert page.text.count("<tr>") == 9
    assert small == large <= 12
