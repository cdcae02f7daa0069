"""Signing in with the organisation's account, through the whole redirect flow in Chromium,
against a real OpenID Connect provider process (npm's oidc-provider, started here)."""

import json
import logging
import os
import re
import shutil
import subprocess
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.core import mail

from projects.models import AccountEvent, AccountEventKind, Membership, Profile, Role, SignInGroup

from ..factories import make_office, make_project, make_user
from ..processes import free_port, wait_until_listening
from .conftest import _require

PROVIDER_SCRIPT = Path(django_settings.BASE_DIR) / "tests" / "browser" / "oidc_provider.mjs"


@pytest.fixture
def provider(live_server, tmp_path, settings, transactional_db, framework):
    """The provider on a loopback port, the app configured for it."""
    _require(shutil.which("node") is not None, "Node.js is not installed")
    _require(
        (Path(django_settings.BASE_DIR) / "node_modules" / "oidc-provider").exists(),
        "npm packages are not installed (npm ci)",
    )
    port = free_port()
    groups = tmp_path / "groups.json"
    groups.write_text("{}")
    process = subprocess.Popen(
        ["node", str(PROVIDER_SCRIPT), str(port), f"{live_server.url}/sign-in/return/", groups],
        cwd=django_settings.BASE_DIR,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "NODE_ENV": "development"},
    )
    wait_until_listening(process, port, "the OpenID provider")
    base = f"http://127.0.0.1:{port}"
    settings.OIDC_RP_CLIENT_ID = "pmapp"
    settings.OIDC_RP_CLIENT_SECRET = "pmapp-test-secret"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{base}/auth"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{base}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{base}/me"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{base}/jwks"
    settings.OIDC_RP_SCOPES = "openid email profile groups"
    settings.OIDC_PROVIDER_NAME = "Example"
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "projects.sign_in.SignInBackend",
    ]
    yield SimpleNamespace(
        url=base, port=port, set_groups=lambda g: groups.write_text(json.dumps(g))
    )
    process.terminate()
    process.wait()


@pytest.fixture
def new_page(browser, live_server):
    contexts = []

    def open_context():
        context = browser.new_context(base_url=live_server.url)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_context
    for context in contexts:
        context.close()


def go_to_provider(page, provider):
    page.goto("/accounts/login/")
    assert page.locator("#organisation-sign-in").inner_text() == "Sign in with your Example account"
    page.click("#organisation-sign-in")
    page.wait_for_url(re.compile(rf"{re.escape(provider.url)}/interaction/"))


def sign_in(page, provider, login):
    go_to_provider(page, provider)
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "anything")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(rf"{re.escape(provider.url)}/interaction/"))
    page.click("button:has-text('Continue')")  # the provider's consent page
    page.wait_for_load_state()


def test_first_sign_in_creates_the_account_which_waits_for_an_office(
    provider, new_page, live_server
):
    page = new_page()
    sign_in(page, provider, "amina")
    assert page.url == f"{live_server.url}/"
    assert page.locator("h1").inner_text() == "Your account is ready, but it has no office yet"
    user = User.objects.get(username="amina")
    assert (user.email, user.first_name, user.last_name) == ("amina@example.org", "Amina", "Tester")
    assert Profile.objects.get(user=user).sign_in_subject == "amina"
    assert not user.has_usable_password()
    assert not Membership.objects.filter(user=user).exists()


def test_groups_give_memberships_and_a_removed_group_takes_its_back(
    provider, new_page, live_server
):
    office_a = make_office(code="IRQ", name="Iraq country office")
    office_b = make_office(code="JOR", name="Jordan country office")
    make_project(office=office_a, code="IRQ-SSO-01", title="Water points in Sinjar")
    SignInGroup.objects.create(group="pm-iraq-staff", office=office_a, role=Role.STAFF)
    provider.set_groups({"amina": ["pm-iraq-staff", "unrelated-group"]})
    page = new_page()
    sign_in(page, provider, "amina")
    assert "Water points in Sinjar" in page.content()
    user = User.objects.get(username="amina")
    membership = Membership.objects.get(user=user)
    assert (membership.office, membership.role, membership.from_sign_in) == (
        office_a,
        Role.STAFF,
        True,
    )
    # An administrator gives another role by hand: sign-in never takes that one away.
    Membership.objects.create(user=user, office=office_b, role=Role.FOCAL_POINT)
    provider.set_groups({"amina": []})
    page = new_page()
    sign_in(page, provider, "amina")
    assert list(Membership.objects.filter(user=user).values_list("office__code", "role")) == [
        ("JOR", Role.FOCAL_POINT)
    ]
    assert "Water points in Sinjar" not in page.content()


def test_an_existing_account_with_the_same_email_is_linked_not_duplicated(provider, new_page):
    office = make_office(code="IRQ", name="Iraq country office")
    existing = make_user(office=office, role=Role.STAFF, username="a.tester")
    existing.email = "Amina@example.org"
    existing.save()
    page = new_page()
    sign_in(page, provider, "amina")
    assert User.objects.filter(email__iexact="amina@example.org").count() == 1
    assert Profile.objects.get(user=existing).sign_in_subject == "amina"
    assert page.locator("h1").inner_text() != "Your account is ready, but it has no office yet"


def test_cancelling_at_the_provider_shows_a_clear_page(provider, new_page, live_server, caplog):
    page = new_page()
    go_to_provider(page, provider)
    with caplog.at_level(logging.WARNING, logger="projects.sign_in"):
        page.click("text=[ Cancel ]")
        page.wait_for_url(re.compile(rf"{re.escape(live_server.url)}/sign-in/return/"))
    assert page.locator("h1").inner_text() == "The organisation's sign-in did not let you in"
    assert "access_denied" in caplog.text  # what the administrator reads
    assert not User.objects.filter(username="amina").exists()
    page.goto("/")
    assert "/accounts/login/" in page.url  # not signed in


def test_a_provider_that_does_not_answer_shows_a_clear_page(provider, new_page, settings, caplog):
    settings.OIDC_OP_TOKEN_ENDPOINT = f"http://127.0.0.1:{free_port()}/token"  # nobody there
    page = new_page()
    with caplog.at_level(logging.ERROR, logger="projects.sign_in"):
        sign_in(page, provider, "amina")
    assert page.locator("h1").inner_text() == "The organisation's sign-in service does not answer"
    assert "could not be reached" in caplog.text
    assert not User.objects.filter(username="amina").exists()


def test_a_wrong_client_secret_shows_a_clear_page_and_logs_the_reason(
    provider, new_page, settings, caplog
):
    settings.OIDC_RP_CLIENT_SECRET = "not-the-secret"
    page = new_page()
    with caplog.at_level(logging.ERROR, logger="projects.sign_in"):
        sign_in(page, provider, "amina")
    assert page.locator("h1").inner_text() == "Signing in could not be completed"
    assert "invalid_client" in caplog.text
    assert not User.objects.filter(username="amina").exists()


@pytest.mark.parametrize("provider_signs_out", [True, False], ids=["end-session", "prompt-login"])
def test_after_signing_out_the_next_organisation_sign_in_asks_for_the_password(
    provider, new_page, live_server, settings, provider_signs_out
):
    office = make_office(code="IRQ", name="Iraq country office")
    SignInGroup.objects.create(group="pm-iraq-staff", office=office, role=Role.STAFF)
    provider.set_groups({"amina": ["pm-iraq-staff"], "bashir": ["pm-iraq-staff"]})
    if provider_signs_out:
        settings.OIDC_OP_LOGOUT_ENDPOINT = f"{provider.url}/session/end"
        # As settings.py makes it from OIDC_OP_LOGOUT_ENDPOINT: the sign-out form may end there.
        policy = settings.CONTENT_SECURITY_POLICY
        directives = {**policy["DIRECTIVES"], "form-action": ["'self'", provider.url]}
        settings.CONTENT_SECURITY_POLICY = {**policy, "DIRECTIVES": directives}
    page = new_page()
    sign_in(page, provider, "amina")
    assert "Amina" in page.locator("#logout-form").inner_text()
    page.click("#logout-form button[type=submit]")
    if provider_signs_out:  # the provider asks, then comes back to the app
        page.click("button:has-text('Yes, sign me out')")
    page.wait_for_url(f"{live_server.url}/accounts/signed-out/**")
    said = page.locator("main").inner_text()
    assert "You are signed out" in said
    if provider_signs_out:
        assert "you were signed out of it in this browser too" in said
    else:
        assert "Your Example account may still be open in this browser" in said
    # The next person at this browser: the provider asks who they are.
    page.click("main a[href='/accounts/login/']")
    go_to_provider(page, provider)
    page.locator("input[name=login]").wait_for()
    page.fill("input[name=login]", "bashir")
    page.fill("input[name=password]", "anything")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(rf"{re.escape(provider.url)}/interaction/"))
    page.click("button:has-text('Continue')")
    page.wait_for_url(f"{live_server.url}/")
    assert "Bashir" in page.locator("#logout-form").inner_text()


def test_the_sign_in_pages_have_no_accessibility_violations(provider, new_page, axe_source):
    from .test_accessibility import violations

    page = new_page()
    page.goto("/accounts/login/")
    assert violations(page, axe_source) == []
    sign_in(page, provider, "amina")
    assert violations(page, axe_source) == []


# --- Linking by e-mail: only a JSON true, never to wide powers; audited and mailed ---------


def _local_account(**fields):
    office = make_office(code="IRQ", name="Iraq country office")
    make_project(office=office, code="IRQ-SSO-01", title="Water points in Sinjar")
    user = make_user(office=office, role=Role.STAFF, username="a.tester", **fields)
    user.email = "amina@example.org"
    user.save()
    return user


@pytest.mark.parametrize(
    "claims", [{"email_verified": "false"}, {"email_verified": None}], ids=["string", "missing"]
)
def test_an_email_not_verified_with_a_json_true_links_nothing(provider, new_page, claims):
    existing = _local_account()
    provider.set_groups({"amina": claims})
    page = new_page()
    sign_in(page, provider, "amina")
    # A new account of its own, with no office and no e-mail it could not prove.
    assert page.locator("h1").inner_text() == "Your account is ready, but it has no office yet"
    assert "Water points in Sinjar" not in page.content()
    assert not Profile.objects.filter(user=existing, sign_in_subject__isnull=False).exists()
    newcomer = User.objects.get(profile__sign_in_subject="amina")
    assert newcomer != existing and newcomer.email == ""
    assert not AccountEvent.objects.exists()


@pytest.mark.parametrize("target", ["superuser", "hq_manager"])
def test_no_link_by_email_to_an_administrator_or_an_hq_wide_role(
    provider, new_page, live_server, target
):
    if target == "superuser":
        powerful = User.objects.create_superuser("root", "Amina@example.org", "a-long-passphrase")
    else:
        hq = make_office(code="HQ", name="Headquarters", is_headquarters=True)
        powerful = make_user(
            office=hq, role=Role.MANAGER, username="ana", email="amina@example.org"
        )
    page = new_page()
    sign_in(page, provider, "amina")
    assert page.locator("h1").inner_text() == "The organisation's sign-in did not let you in"
    assert not Profile.objects.filter(user=powerful, sign_in_subject__isnull=False).exists()
    assert not User.objects.filter(profile__sign_in_subject="amina").exists()
    page.goto("/admin/")
    assert "/accounts/login/" in page.url  # nobody is signed in
    page.goto("/")
    assert "/accounts/login/" in page.url


def test_a_link_is_audited_and_mailed_to_the_account(provider, new_page):
    existing = _local_account()
    page = new_page()
    sign_in(page, provider, "amina")
    assert "Water points in Sinjar" in page.content()
    event = AccountEvent.objects.get(user=existing)
    assert (event.kind, event.details["subject"]) == (AccountEventKind.ORGANISATION_LINKED, "amina")
    [message] = [m for m in mail.outbox if m.to == ["amina@example.org"]]
    assert message.subject == "An organisation account was linked to your account"


# --- Leaving: the session is checked again with the provider at an interval --------------


def test_a_group_removed_at_the_provider_takes_the_office_away_within_the_interval(
    provider, new_page, settings
):
    settings.OIDC_RENEW_ID_TOKEN_EXPIRY_SECONDS = 3  # 15 minutes in production
    office = make_office(code="IRQ", name="Iraq country office")
    make_project(office=office, code="IRQ-SSO-01", title="Water points in Sinjar")
    SignInGroup.objects.create(group="pm-iraq-staff", office=office, role=Role.STAFF)
    provider.set_groups({"amina": ["pm-iraq-staff"]})
    page = new_page()
    sign_in(page, provider, "amina")
    assert "Water points in Sinjar" in page.content()
    provider.set_groups({"amina": []})  # IT removes her from the group
    page.goto("/")
    assert "Water points in Sinjar" in page.content()  # within the interval: not checked yet
    time.sleep(3.5)
    page.goto("/")  # to the provider and back, without a word from her
    page.wait_for_url(re.compile(r"/$"))
    assert "Water points in Sinjar" not in page.content()
    assert page.locator("h1").inner_text() == "Your account is ready, but it has no office yet"
    assert not Membership.objects.filter(user__username="amina").exists()


def test_a_person_the_provider_no_longer_knows_is_signed_out_within_the_interval(
    provider, new_page, settings
):
    from projects.access_tokens import issue_token

    settings.OIDC_RENEW_ID_TOKEN_EXPIRY_SECONDS = 3
    office = make_office(code="IRQ", name="Iraq country office")
    make_project(office=office, code="IRQ-SSO-01", title="Water points in Sinjar")
    SignInGroup.objects.create(group="pm-iraq-staff", office=office, role=Role.STAFF)
    provider.set_groups({"amina": ["pm-iraq-staff"]})
    page = new_page()
    sign_in(page, provider, "amina")
    amina = User.objects.get(username="amina")
    _token, secret = issue_token(user=amina, name="BI", lifetime_days=30)
    api = page.context.request  # the same browser, as a BI tool would call
    headers = {"Authorization": f"Bearer {secret}"}
    assert api.get("/api/v1/projects/", headers=headers).status == 200
    provider.set_groups({"amina": False})  # the account is disabled at the provider
    time.sleep(3.5)
    page.goto("/")
    assert "Water points in Sinjar" not in page.content()
    page.goto("/")
    assert "/accounts/login/" in page.url
    # Her token stops with the failed check, before the usual API_TOKEN_PROVIDER_CHECK_HOURS.
    assert Profile.objects.get(user=amina).provider_checked_at is None
    assert api.get("/api/v1/projects/", headers=headers).status == 401
