"""Sign-in settings and pages without a browser: passwords turned off, the organisation's
sign-in not set up, its refusals in the user's language, the group mapping, and the page
for an account without an office. The redirect flow itself: tests/browser/test_sign_in.py."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from projects.models import Membership, Role, SignInGroup
from projects.sign_in import apply_sign_in_groups

from ..factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation_sign_in(settings):
    settings.OIDC_RP_CLIENT_ID = "pmapp"
    settings.OIDC_RP_CLIENT_SECRET = "secret"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = "https://login.example.org/auth"
    settings.OIDC_OP_TOKEN_ENDPOINT = "https://login.example.org/token"
    settings.OIDC_OP_USER_ENDPOINT = "https://login.example.org/me"
    settings.OIDC_OP_JWKS_ENDPOINT = "https://login.example.org/jwks"


def test_passwords_can_be_turned_off(client, staff_a, settings, organisation_sign_in):
    settings.LOCAL_SIGN_IN = False
    settings.AUTHENTICATION_BACKENDS = [
        "axes.backends.AxesStandaloneBackend",
        "projects.sign_in.SignInBackend",
    ]
    staff_a.set_password("pw")
    staff_a.save()
    page = client.get(reverse("login")).content.decode()
    assert 'name="password"' not in page
    assert "Sign in with your organisation account" in page
    response = client.post(reverse("login"), {"username": "staff_a", "password": "pw"})
    assert response.status_code == 400
    assert "Signing in with a password is turned off here" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_without_organisation_sign_in_the_login_page_is_as_before(client, db):
    page = client.get(reverse("login")).content.decode()
    assert 'name="password"' in page
    assert "organisation-sign-in" not in page
    response = client.get(reverse("oidc_authentication_init"))
    assert response.status_code == 404
    assert "Sign-in with an organisation account is not set up here" in response.content.decode()


def test_the_start_sends_the_browser_to_the_provider_with_state_nonce_and_pkce(
    client, organisation_sign_in
):
    response = client.get(reverse("oidc_authentication_init"))
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("https://login.example.org/auth?")
    for parameter in ("state=", "nonce=", "code_challenge=", "client_id=pmapp"):
        assert parameter in location


def test_a_refusal_from_the_provider_speaks_the_users_language(client, organisation_sign_in):
    response = client.get(
        reverse("oidc_authentication_callback"),
        {"error": "access_denied", "state": "x"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 403
    assert "La connexion de l’organisation ne vous a pas laissé entrer" in (
        response.content.decode()
    )


def test_a_return_without_a_started_sign_in_is_refused_not_an_error(client, organisation_sign_in):
    response = client.get(reverse("oidc_authentication_callback"), {"code": "c", "state": "s"})
    assert response.status_code in (302, 403)
    assert "_auth_user_id" not in client.session


def test_groups_give_and_take_memberships_but_never_those_given_by_hand(
    office_a, office_b, staff_a
):
    SignInGroup.objects.create(group="pm-iraq-focal", office=office_a, role=Role.FOCAL_POINT)
    SignInGroup.objects.create(group="pm-jordan-staff", office=office_b, role=Role.STAFF)
    apply_sign_in_groups(user=staff_a, groups=["pm-iraq-focal", "pm-jordan-staff"])
    held = set(Membership.objects.filter(user=staff_a).values_list("office__code", "role"))
    assert held == {("IRQ", Role.STAFF), ("IRQ", Role.FOCAL_POINT), ("JOR", Role.STAFF)}
    apply_sign_in_groups(user=staff_a, groups=["pm-jordan-staff"])
    held = set(Membership.objects.filter(user=staff_a).values_list("office__code", "role"))
    assert held == {("IRQ", Role.STAFF), ("JOR", Role.STAFF)}  # the hand-given one stays
    apply_sign_in_groups(user=staff_a, groups=[])
    assert list(Membership.objects.filter(user=staff_a).values_list("from_sign_in", flat=True)) == [
        False
    ]


def test_an_account_without_an_office_is_told_so(client, db):
    lonely = User.objects.create_user("lonely", password="pw")
    client.force_login(lonely)
    response = client.get(reverse("checklists:home"))
    assert response.status_code == 200
    assert "Your account is ready, but it has no office yet" in response.content.decode()


def test_an_account_with_an_office_sees_its_projects(client, staff_a, project_a):
    client.force_login(staff_a)
    assert project_a.title in client.get(reverse("checklists:home")).content.decode()


def test_an_administrator_without_membership_sees_the_app(client, db):
    admin = make_user(username="root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    page = client.get(reverse("checklists:home")).content.decode()
    assert "has no office yet" not in page


def test_a_link_to_the_sign_in_return_address_never_signs_anyone_out(
    client, staff_a, organisation_sign_in
):
    client.force_login(staff_a)
    response = client.get(
        reverse("oidc_authentication_callback"), {"error": "access_denied", "state": "x"}
    )
    assert response.status_code == 403  # the refusal page, for whoever followed the link
    assert client.get(reverse("checklists:home")).status_code == 200  # still signed in


def test_what_a_request_carries_never_adds_lines_to_the_log(client, organisation_sign_in):
    import io
    import logging

    from projects.log_lines import OneLine

    # The handler the settings give the app, with its filters, writing where we can read.
    console = next(h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler)
    assert any(isinstance(f, OneLine) for f in console.filters)
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    for log_filter in console.filters:
        handler.addFilter(log_filter)
    logging.getLogger().addHandler(handler)
    forged = "x\nINFO projects.access_tokens Access token 12 revoked\r\n"
    try:
        client.get(
            reverse("oidc_authentication_callback"),
            {"error": "access_denied", "error_description": forged},
        )
        # Any value a log line quotes, wherever it comes from (a name from a sign-in...).
        logging.getLogger("projects.sign_in").warning("Sign-in: %s given a role", forged)
    finally:
        logging.getLogger().removeHandler(handler)
    lines = written.getvalue().splitlines()
    assert len([line for line in lines if "Sign-in refused" in line]) == 1
    assert len([line for line in lines if "given a role" in line]) == 1
    assert not any(line.startswith("INFO projects.access_tokens") for line in lines)


def test_signing_out_ends_the_organisation_session_at_the_provider(
    client, staff_a, organisation_sign_in, settings
):
    from projects import sessions

    settings.OIDC_OP_LOGOUT_ENDPOINT = "https://login.example.org/session/end"
    client.force_login(staff_a)
    session = client.session
    session[sessions.ORGANISATION] = True
    session["oidc_id_token"] = "the-id-token"
    session.save()
    response = client.post(reverse("logout"))
    location = response["Location"]
    assert location.startswith("https://login.example.org/session/end?")
    assert "id_token_hint=the-id-token" in location
    assert "post_logout_redirect_uri=http%3A%2F%2Ftestserver%2Faccounts%2Fsigned-out%2F" in location
    # And whatever the provider did, the next sign-in here asks for the password.
    assert response.cookies[sessions.SIGN_IN_AGAIN_COOKIE].value == "1"
    start = client.get(reverse("oidc_authentication_init"))
    assert "prompt=login" in start["Location"]


def test_administrators_map_the_organisations_groups_in_the_admin(admin_client, office_a):
    page = admin_client.get("/admin/projects/signingroup/add/")
    assert page.status_code == 200
    response = admin_client.post(
        "/admin/projects/signingroup/add/",
        {"group": "pm-iraq-staff", "office": office_a.pk, "role": Role.STAFF},
    )
    assert response.status_code == 302
    mapping = SignInGroup.objects.get()
    assert (mapping.group, mapping.office, mapping.role) == ("pm-iraq-staff", office_a, Role.STAFF)
