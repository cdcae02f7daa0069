"""The second factor of the app's own passwords: a code from an authenticator app (TOTP)
or a single-use recovery code, through django-otp.

Asked at sign-in, between the password and the session: the session is opened only once
both passed, so no page ever sees a half signed-in person. Required of administrators,
framework editors and HQ-wide roles (and of everyone with SECOND_FACTOR_FOR_EVERYONE),
offered to the rest. Organisation accounts rely on their provider's own second factor.
/admin/ asks for it too, whatever the way the session was opened.
"""

import time
from base64 import b32encode

import segno
from django.conf import settings
from django.contrib import admin, auth
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import account_permissions, accounts
from .models import AccountEventKind

PENDING_KEY = "second_factor_pending"
# The password was typed this long ago at most: past it, the person starts again.
PENDING_SECONDS = 10 * 60
RECOVERY_CODES = 10


def required_of(user) -> bool:
    """Whose accounts need a second factor: those who can change everything or see every
    office, and everyone when the installation says so."""
    return settings.SECOND_FACTOR_FOR_EVERYONE or account_permissions.holds_wide_powers(user)


def has_second_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def asked_of(user) -> bool:
    """Whether a password sign-in asks this person for a second factor."""
    return required_of(user) or has_second_factor(user)


def passed(request) -> bool:
    """Whether this session passed a second factor (the provider's, for an organisation
    account's session)."""
    user = request.user
    verified = getattr(user, "is_verified", None)
    return bool(verified and verified()) or accounts.signed_in_with_organisation(request)


def verify(user, code: str):
    """The device that accepts ``code`` (app code or recovery code), or None. django-otp
    throttles each device after failures and never accepts a code twice."""
    code = "".join(code.split()).lower()
    if not code or len(code) > 16:
        return None
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if device.verify_token(code):
                return device
    return None


# --- The sign-in in two steps --------------------------------------------------------------


def start(request, *, user, next_url: str) -> None:
    """The password was right: remember who typed it, not signed in yet."""
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": user.backend,
        "at": time.time(),
        "next": next_url,
    }


def pending_user(request):
    """The person whose password was just typed, or None (nothing waiting, or too old)."""
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        return None
    user = auth.get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    if user is not None:
        user.backend = pending["backend"]
    return user


def finish(request, *, user, device) -> str:
    """Open the session, marked as having passed the second factor; where to go next."""
    next_url = request.session.pop(PENDING_KEY, {}).get("next") or reverse(
        settings.LOGIN_REDIRECT_URL
    )
    auth.login(request, user, backend=user.backend)
    otp_login(request, device)
    return next_url


# --- Setting it up -------------------------------------------------------------------------


def new_app_device(user) -> TOTPDevice:
    """A new secret for an authenticator app, not in use until a code from it is typed."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="app", confirmed=False)


def unconfirmed_app_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=False).first()


def secret_text(device: TOTPDevice) -> str:
    """The secret as a person types it into an app: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code(device: TOTPDevice) -> str:
    """The app's set-up link as a QR code (an SVG data: address, allowed by the CSP)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=4, border=2)


@transaction.atomic
def confirm_app_device(*, device: TOTPDevice, code: str, request) -> list[str] | None:
    """Turn the app on if ``code`` comes from it; then new recovery codes (shown once).
    Any earlier app of the person's is replaced. None when the code is wrong."""
    if not device.verify_token("".join(code.split())):
        return None
    TOTPDevice.objects.filter(user=device.user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    accounts.record_event(
        user=device.user,
        kind=AccountEventKind.SECOND_FACTOR_ADDED,
        actor=device.user,
        request=request,
    )
    accounts.mail_owner(user=device.user, template="second_factor_added", context={})
    return make_recovery_codes(user=device.user, request=None)


@transaction.atomic
def make_recovery_codes(*, user, request) -> list[str]:
    """New single-use recovery codes; the earlier ones stop working."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name="recovery", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    if request is not None:
        accounts.record_event(
            user=user, kind=AccountEventKind.RECOVERY_CODES_MADE, actor=user, request=request
        )
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user).count()


@transaction.atomic
def turn_off(*, user, request) -> None:
    """Remove the app and the recovery codes (refused by the view when it is required)."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    accounts.record_event(
        user=user, kind=AccountEventKind.SECOND_FACTOR_REMOVED, actor=user, request=request
    )
    accounts.mail_owner(user=user, template="second_factor_removed", context={})


# --- The admin site ------------------------------------------------------------------------


class AdminSite(admin.AdminSite):
    """Django's admin, open only to a session that passed the second factor. Its own login
    page is the app's, which asks for it."""

    def has_permission(self, request):
        return super().has_permission(request) and passed(request)

    @method_decorator(login_not_required)
    def login(self, request, extra_context=None):
        target = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
        return redirect(f"{reverse(settings.LOGIN_URL)}?{urlencode({REDIRECT_FIELD_NAME: target})}")
