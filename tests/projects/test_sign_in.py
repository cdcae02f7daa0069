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
