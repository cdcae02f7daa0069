"""Personal access tokens for the read API: made and revoked by their owner, checked on
each API request, and the API's rate limit per token.

A token is ``pmat_`` and 40 random characters. Only its SHA-256 hash is stored: the secret
is shown once, on the page that made it. The API reads what the token's owner may read,
through projects/permissions.py, as their memberships stand at that moment.

A token is made only after its owner typed the password again (or signed in with the
organisation's account a few minutes ago), and its owner is mailed. It stops when the
owner's password changes (however it was set), when the account is turned off, and, for an
organisation account, when the provider has not confirmed the owner for
API_TOKEN_PROVIDER_CHECK_HOURS. A refused token is logged with its first characters and
the address it came from.
"""

import datetime
import hashlib
import logging
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import formats, timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, throttling

from . import accounts
from .models import AccessToken, AccountEventKind, Profile

logger = logging.getLogger(__name__)

SECRET_PREFIX = "pmat_"
PREFIX_LENGTH = len(SECRET_PREFIX) + 6
DEFAULT_LIFETIME = 30
# How long a new token may live, in days: the choices the settings page offers, up to
# API_TOKEN_MAX_DAYS.
STANDARD_LIFETIMES = (7, 30, 60, 90)


def lifetimes() -> list[int]:
    longest = settings.API_TOKEN_MAX_DAYS
    return sorted({days for days in STANDARD_LIFETIMES if days <= longest} | {longest})


def password_digest(user) -> str:
    """Changes whenever the password does (a new hash has a new salt), as Django's own
    session check does; the secret key keeps it from being a copy of the hash."""
    return salted_hmac("projects.access_tokens", user.password, algorithm="sha256").hexdigest()


# last_used_at is written at most this often per token, not on every request.
LAST_USED_PRECISION = datetime.timedelta(minutes=1)


class TokenRefused(Exception):
    """Why a token could not be made, in words for its owner."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def issue_token(*, user, name: str, lifetime_days: int, request=None) -> tuple[AccessToken, str]:
    """A new token for ``user`` and its secret, which is not stored and cannot be shown
    again. Refused past the number of usable tokens a person may hold. The view asks for
    the password again first (reauthentication_passed)."""
    if lifetime_days not in lifetimes():
        raise TokenRefused(_("Choose how long the token stays valid."))
    now = timezone.now()
    # The user's row serialises two requests that would both pass the count below.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    if user.access_tokens.usable(now).count() >= settings.API_TOKEN_MAX_ACTIVE:
        raise TokenRefused(
            _(
                "You already have %(count)s valid tokens. Revoke one you no longer use, "
                "then create the new one."
            )
            % {"count": settings.API_TOKEN_MAX_ACTIVE}
        )
    secret = SECRET_PREFIX + secrets.token_urlsafe(30)
    token = AccessToken.objects.create(
        user=user,
        name=name.strip(),
        prefix=secret[:PREFIX_LENGTH],
        key_hash=hash_secret(secret),
        expires_at=now + datetime.timedelta(days=lifetime_days),
        password_digest=password_digest(user),
    )
    logger.info("Access token %s created by %s", token.pk, user.username)
    accounts.record_event(
        user=user,
        kind=AccountEventKind.TOKEN_CREATED,
        actor=user,
        request=request,
        token=token.pk,
        prefix=token.prefix,
        expires=token.expires_at.isoformat(),
    )
    accounts.mail_owner(user=user, template="token_created", context={"token": token})
    return token, secret


def reauthentication_needed(request) -> str:
    """How the person proves again it is them before a token is made: "password" (typed
    again), "organisation" (signed in with the organisation's account within
    REAUTHENTICATION_MINUTES: sign out and in again), or "" when that sign-in is fresh."""
    user = request.user
    if settings.LOCAL_SIGN_IN and user.has_usable_password():
        return "password"
    if accounts.signed_in_with_organisation(request):
        record = user.signed_in_sessions.filter(session_key=request.session.session_key).first()
        fresh_since = timezone.now() - datetime.timedelta(minutes=settings.REAUTHENTICATION_MINUTES)
        if record is not None and record.signed_in_at >= fresh_since:
            return ""
    return "organisation"


def provider_confirmed_recently(user, now) -> bool:
    """For an organisation account: whether the provider confirmed it recently enough for
    its tokens (a local account always is)."""
    profile = (
        Profile.objects.filter(user=user).only("sign_in_subject", "provider_checked_at").first()
    )
    if profile is None or profile.sign_in_subject is None:
        return True
    limit = datetime.timedelta(hours=settings.API_TOKEN_PROVIDER_CHECK_HOURS)
    return profile.provider_checked_at is not None and now - profile.provider_checked_at <= limit


def revoke_token(*, token: AccessToken, user) -> None:
    """Stop the token from opening the API, at once. Revoking twice changes nothing."""
    updated = AccessToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if updated:
        logger.info("Access token %s revoked by %s", token.pk, user.username)
    token.refresh_from_db(fields=["revoked_at"])


class AccessTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer pmat_…``. A request without that header falls through to the
    session (a signed-in browser); a header with a bad token is refused, never ignored."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode(errors="replace").lower() != self.keyword.lower():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the header as “Authorization: Bearer” followed by one access token.")
            )
        secret = header[1].decode(errors="replace")
        token = (
            AccessToken.objects.select_related("user").filter(key_hash=hash_secret(secret)).first()
        )
        now = timezone.now()
        refusal = self.refusal(token, now)
        if refusal:
            reason, message = refusal
            logger.warning(
                "API token refused (%s): %r from %s",
                reason,
                secret[:PREFIX_LENGTH],
                accounts.client_address(request._request),
            )
            raise exceptions.AuthenticationFailed(message)
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
            AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    @staticmethod
    def refusal(token, now) -> tuple[str, str] | None:
        """Why the token does not open the API (for the log, for its user), or None."""
        if token is None:
            return "unknown", _(
                "This access token is not valid. Check that it was copied whole, or "
                "create a new one in Your settings."
            )
        if token.revoked_at is not None:
            return "revoked", _("This access token was revoked. Create a new one in Your settings.")
        if token.expires_at <= now:
            return "expired", _(
                "This access token expired on %(date)s. Create a new one in Your settings."
            ) % {"date": formats.date_format(token.expires_at, "DATE_FORMAT")}
        if not token.user.is_active:
            return "account disabled", _("This account is disabled.")
        if token.password_digest != password_digest(token.user):
            return "password changed", _(
                "This access token stopped when your password changed. Create a new one in "
                "Your settings."
            )
        if not provider_confirmed_recently(token.user, now):
            return "not confirmed by the organisation's sign-in", _(
                "This access token rests until you sign in to the app again with your "
                "organisation account."
            )
        return None

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'


class AccessTokenRateThrottle(throttling.SimpleRateThrottle):
    """At most API_RATE_LIMIT requests per token (or per signed-in user without one).

    Counted in Django's cache: with the default local-memory cache, each app server counts
    its own requests; a shared cache makes it one limit for the whole installation."""

    scope = "api"

    def get_rate(self):
        return settings.API_RATE_LIMIT

    def get_cache_key(self, request, view):
        if isinstance(request.auth, AccessToken):
            return self.cache_format % {"scope": self.scope, "ident": f"token-{request.auth.pk}"}
        if request.user and request.user.is_authenticated:
            return self.cache_format % {"scope": self.scope, "ident": f"user-{request.user.pk}"}
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class AccessTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes the token."""

    target_class = AccessTokenAuthentication
    name = "accessToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": str(
                gettext_lazy("A personal access token, created in Your settings > API tokens.")
            ),
        }
