"""Signing in with the organisation's account (OpenID Connect), beside or instead of the
app's own passwords.

mozilla-django-oidc runs the redirect flow (state, nonce, PKCE, signed ID token). Here:
who the account is (its stable "sub", or at the first sign-in an existing account with the
same verified e-mail), what the organisation's groups give (SignInGroup, an administrator's
mapping, applied at every sign-in: a group removed is a membership removed), and clear
pages, in the user's language, for what goes wrong, with the detail in the log for the
administrator.

Linking by e-mail happens only when the provider says, with a JSON true, that the e-mail
is verified, and never to an account with wide powers (administrators, HQ-wide roles): an
administrator links those by setting the organisation account in the admin. Every link is
in the account's audit trail and mailed to its address.

An open session is checked again with the provider every OIDC_SESSION_CHECK_MINUTES
(SessionCheck, mozilla-django-oidc's SessionRefresh): the groups are applied again, and a
person the provider no longer lets in is signed out.
"""

import logging

import requests
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.deprecation import MiddlewareMixin
from django.utils.translation import gettext_lazy
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.middleware import SessionRefresh
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from . import account_permissions, accounts, sessions
from .models import AccountEventKind, Membership, Profile, SignInGroup

logger = logging.getLogger(__name__)


def sign_in_enabled() -> bool:
    return bool(settings.OIDC_RP_CLIENT_ID)


@transaction.atomic
def apply_sign_in_groups(*, user, groups: list[str]) -> None:
    """Give the memberships the account's groups map to, and take back those given by a
    group the account no longer has. Memberships given by hand stay as they are."""
    wanted = {
        (mapping.office_id, mapping.role)
        for mapping in SignInGroup.objects.filter(group__in=[str(g) for g in groups])
    }
    held = {(m.office_id, m.role): m for m in Membership.objects.filter(user=user)}
    for key, membership in held.items():
        if membership.from_sign_in and key not in wanted:
            membership.delete()
            logger.info("Sign-in: %s no longer in a group for %s", user.username, key)
    for office_id, role in wanted - set(held):
        Membership.objects.create(user=user, office_id=office_id, role=role, from_sign_in=True)
        logger.info("Sign-in: %s given %s in office %s", user.username, role, office_id)
    user.__dict__.pop("_pm_memberships", None)
    user.__dict__.pop("_pm_covered", None)


def email_is_verified(claims) -> bool:
    """Only a JSON true: some providers send "false" as a string, which Python reads as
    true; a missing claim is not a verification."""
    return bool(claims.get("email")) and claims.get("email_verified") is True


class SignInBackend(OIDCAuthenticationBackend):
    """The organisation account: found by its "sub", else linked once to the local account
    with the same e-mail (which the provider must say is verified), else created."""

    def verify_claims(self, claims):
        return bool(claims.get("sub"))

    def filter_users_by_claims(self, claims):
        self.linking = False
        users = self.UserModel.objects.filter(profile__sign_in_subject=claims["sub"])
        if users.exists() or not email_is_verified(claims):
            return users
        # An account not linked yet to another organisation account.
        candidates = list(
            self.UserModel.objects.filter(email__iexact=claims["email"]).exclude(
                profile__sign_in_subject__isnull=False
            )
        )
        if any(account_permissions.holds_wide_powers(user) for user in candidates):
            # Never by e-mail alone: an administrator sets the organisation account in the
            # admin. Refused rather than a second account with the same address.
            logger.warning(
                "Sign-in: %r has the e-mail of an account with wide powers (%s): not linked; "
                "an administrator can link it in the admin",
                claims["sub"],
                ", ".join(user.get_username() for user in candidates),
            )
            raise SuspiciousOperation("e-mail of an account with wide powers")
        self.linking = len(candidates) == 1
        return self.UserModel.objects.filter(pk__in=[user.pk for user in candidates])

    def get_username(self, claims):
        base = (claims.get("preferred_username") or claims.get("email") or claims["sub"])[:140]
        username, n = base, 1
        while self.UserModel.objects.filter(username=username).exists():
            n += 1
            username = f"{base}-{n}"
        return username

    def create_user(self, claims):
        self.linking = False
        user = self.UserModel.objects.create_user(
            self.get_username(claims), email=claims["email"] if email_is_verified(claims) else ""
        )
        return self.update_user(user, claims)

    def update_user(self, user, claims):
        """At every sign-in and session check: the name, the verified e-mail, the groups, and
        that the provider confirmed the account now."""
        user.first_name = claims.get("given_name", user.first_name)[:150]
        user.last_name = claims.get("family_name", user.last_name)[:150]
        if email_is_verified(claims):
            user.email = claims["email"]
        user.save()
        Profile.objects.update_or_create(
            user=user,
            defaults={"sign_in_subject": claims["sub"], "provider_checked_at": timezone.now()},
        )
        groups = claims.get(settings.OIDC_GROUPS_CLAIM) or []
        apply_sign_in_groups(user=user, groups=groups if isinstance(groups, list) else [groups])
        if getattr(self, "linking", False):
            accounts.record_event(
                user=user,
                kind=AccountEventKind.ORGANISATION_LINKED,
                request=self.request,
                subject=claims["sub"],
                email=claims["email"],
            )
            accounts.mail_owner(
                user=user,
                template="organisation_linked",
                context={"provider": settings.OIDC_PROVIDER_NAME, "email": claims["email"]},
            )
        return user


# What a person reads when signing in with the organisation's account fails.
PROBLEMS = {
    "not_set_up": (
        404,
        gettext_lazy("Sign-in with an organisation account is not set up here"),
        gettext_lazy("Log in with the account your office administrator gave you."),
    ),
    "unreachable": (
        503,
        gettext_lazy("The organisation's sign-in service does not answer"),
        gettext_lazy(
            "It may be down or unreachable from this server. Try again in a few minutes; if "
            "it goes on, tell your administrator."
        ),
    ),
    "refused": (
        403,
        gettext_lazy("The organisation's sign-in did not let you in"),
        gettext_lazy(
            "You cancelled, or your organisation account may not use this app. Try again, or "
            "ask your administrator."
        ),
    ),
    "failed": (
        502,
        gettext_lazy("Signing in could not be completed"),
        gettext_lazy(
            "The answer of the organisation's sign-in service could not be checked. Try "
            "again; if it goes on, tell your administrator: the details are in the log."
        ),
    ),
}


def problem_page(request, problem: str):
    status, title, message = PROBLEMS[problem]
    return render(
        request,
        "registration/sign_in_problem.html",
        {"title": title, "message": message, "local_sign_in": settings.LOCAL_SIGN_IN},
        status=status,
    )


@method_decorator(login_not_required, name="dispatch")
class SignInStart(OIDCAuthenticationRequestView):
    """Off to the organisation's sign-in page."""

    def __init__(self, *args, **kwargs):
        if sign_in_enabled():
            super().__init__(*args, **kwargs)

    def get(self, request):
        if not sign_in_enabled():
            return problem_page(request, "not_set_up")
        return super().get(request)

    def get_extra_params(self, request):
        params = dict(super().get_extra_params(request))
        if request.COOKIES.get(sessions.SIGN_IN_AGAIN_COOKIE):
            # Someone signed out in this browser: the provider's session may still be open.
            params["prompt"] = "login"
        return params


@method_decorator(login_not_required, name="dispatch")
class SignInReturn(OIDCAuthenticationCallbackView):
    """Back from the organisation's sign-in page: signed in, or a page that says why not."""

    def get(self, request):
        if not sign_in_enabled():
            return problem_page(request, "not_set_up")
        if request.GET.get("error"):
            # Anyone can send a browser here with an error (a link): it never signs anyone
            # out. The state it names, if it is this browser's, is not used again.
            logger.warning(
                "Sign-in refused by the provider: %r (%r)",
                request.GET.get("error"),
                request.GET.get("error_description", ""),
            )
            states = request.session.get("oidc_states", {})
            if states.pop(request.GET.get("state", ""), None) is not None:
                request.session["oidc_states"] = states
                if request.user.is_authenticated and accounts.signed_in_with_organisation(request):
                    # The provider's answer to this browser's own request (the session
                    # check's, every few minutes): it no longer lets this person in. Signed
                    # out, and their API tokens rest until the next sign-in.
                    Profile.objects.filter(user=request.user).update(provider_checked_at=None)
                    logger.warning("Sign-in: %r signed out by the provider's answer", request.user)
                    auth.logout(request)
            return problem_page(request, "refused")
        try:
            response = super().get(request)
        except requests.HTTPError as error:  # it answered, with an error: the configuration
            logger.error("Sign-in: the provider refused the app's request: %s", error)
            return problem_page(request, "failed")
        except requests.RequestException as error:
            logger.error("Sign-in: the provider could not be reached or answered %s", error)
            return problem_page(request, "unreachable")
        except SuspiciousOperation as error:
            logger.error("Sign-in: the provider's answer was refused: %s", error)
            return problem_page(request, "failed")
        if not request.user.is_authenticated:
            logger.warning("Sign-in: no account for the provider's answer (see above)")
            return problem_page(request, "refused")
        return response

    def login_success(self):
        response = super().login_success()
        self.request.session[sessions.ORGANISATION] = True
        response.delete_cookie(sessions.SIGN_IN_AGAIN_COOKIE, samesite="Lax")
        profile = Profile.objects.filter(user=self.user).first()
        if profile:
            from .middleware import SESSION_KEY as TIME_ZONE_SESSION_KEY

            self.request.session[TIME_ZONE_SESSION_KEY] = profile.time_zone
        return response


class SessionCheck(SessionRefresh):
    """mozilla-django-oidc's SessionRefresh, reading the settings at each request (they
    may change after start, in tests) and only when sign-in with the organisation is on.

    Once OIDC_SESSION_CHECK_MINUTES have passed since the last check, the next page of a
    session opened by the organisation's sign-in goes to the provider with prompt=none: it
    comes straight back with the account (groups applied again) or with an error, which
    signs the person out. Sessions opened with a password are never sent there."""

    def __init__(self, get_response):
        MiddlewareMixin.__init__(self, get_response)

    def __getattr__(self, name):
        # OIDC_OP_AUTHORIZATION_ENDPOINT, OIDC_RP_CLIENT_ID, OIDC_RP_SCOPES..., as now set.
        if name.startswith("OIDC_"):
            defaults = {
                "OIDC_EXEMPT_URLS": [],
                "OIDC_STATE_SIZE": 32,
                "OIDC_AUTHENTICATION_CALLBACK_URL": "oidc_authentication_callback",
                "OIDC_USE_NONCE": True,
                "OIDC_NONCE_SIZE": 32,
            }
            return getattr(settings, name, defaults.get(name))
        raise AttributeError(name)

    @property
    def exempt_urls(self):
        return {reverse("oidc_authentication_init"), reverse("oidc_authentication_callback")}

    def is_refreshable_url(self, request):
        return (
            sign_in_enabled()
            and accounts.signed_in_with_organisation(request)
            and not request.path.startswith(("/" + settings.STATIC_URL.lstrip("/"), "/sw.js"))
            and super().is_refreshable_url(request)
        )
