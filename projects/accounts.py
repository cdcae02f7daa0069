"""An account's life after it is made: where it is signed in, what is written to its audit
trail and mailed to its owner, and what ends when a password changes or an administrator
removes someone's access.

Every change here is one function with keyword-only arguments, as the checklist workflow
is: views and the admin call them and never change sessions, tokens or memberships
themselves.
"""

import logging
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.db import transaction
from django.utils import timezone
from ipware.ip import get_client_ip

from .models import (
    AccessToken,
    AccountEvent,
    AccountEventKind,
    Membership,
    Profile,
    SignedInSession,
)

logger = logging.getLogger(__name__)

ORGANISATION_BACKEND = "projects.sign_in.SignInBackend"


def client_address(request) -> str | None:
    """The address of the person's computer. Behind AXES_PROXY_COUNT reverse proxies, the
    address the nearest trusted proxy saw, from X-Forwarded-For (right-most entries, the
    ones the proxies wrote); with none, the connection's own address and never a header
    anyone can send. A chain longer than the proxies make is someone's invention: then
    the proxy's own address. Also django-axes' lockout key (AXES_CLIENT_IP_CALLABLE)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if not proxies:
        return request.META.get("REMOTE_ADDR") or None
    address, _routable = get_client_ip(
        request,
        proxy_order="right-most",
        # ipware counts the proxies listed in the header: the nearest one is the
        # connection itself, not in the header.
        proxy_count=proxies - 1,
        request_header_order=["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"],
        strict=True,
    )
    return address or request.META.get("REMOTE_ADDR") or None


def signed_in_with_organisation(request) -> bool:
    """Whether this session was opened by the organisation's sign-in (OpenID Connect)."""
    return request.session.get(BACKEND_SESSION_KEY) == ORGANISATION_BACKEND


def is_organisation_account(user) -> bool:
    return Profile.objects.filter(user=user, sign_in_subject__isnull=False).exists()


def record_event(*, user, kind: AccountEventKind, actor=None, request=None, **details):
    """One line of the account's audit trail (and of the log, for the administrator)."""
    address = client_address(request) if request is not None else None
    AccountEvent.objects.create(user=user, actor=actor, kind=kind, details=details, address=address)
    logger.warning(
        "Account %r: %s by %r from %s %r",
        user.get_username(),
        kind,
        actor.get_username() if actor else None,
        address,
        details,
    )


def mail_owner(*, user, template: str, context: dict) -> None:
    """A security notice to the account's own address, once the change is committed. A
    mail server that fails is logged, never turned into an error page."""

    def deliver():
        from checklists.notifications import send  # the mail helper of the app

        try:
            if not send(template, to=user, context={"site_url": settings.SITE_URL, **context}):
                logger.warning("Account %r has no e-mail address: %s not sent", user, template)
        except Exception:
            logger.exception("Could not send %s to account %r", template, user.get_username())

    transaction.on_commit(deliver)


# --- Where a person is signed in ----------------------------------------------------------


def record_session(*, request, user) -> None:
    """Remember which session is this person's (at every sign-in, whatever the way)."""
    key = request.session.session_key
    if not key:
        request.session.save()
        key = request.session.session_key
    SignedInSession.objects.update_or_create(
        session_key=key,
        defaults={
            "user": user,
            "address": client_address(request),
            "browser": request.META.get("HTTP_USER_AGENT", "")[:200],
            "with_organisation": signed_in_with_organisation(request),
        },
    )


def live_sessions(user):
    """The person's sessions that are still open; forgets the records of ended ones."""
    now = timezone.now()
    records = SignedInSession.objects.filter(user=user)
    records.exclude(pk__in=records.live(now).values("pk")).delete()
    return records.live(now)


def end_sessions(*, user, keys=None, keep: str | None = None) -> int:
    """End the person's sessions (those of ``keys``, or all), except ``keep``."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    records = SignedInSession.objects.filter(user=user)
    if keys is not None:
        records = records.filter(session_key__in=list(keys))
    if keep:
        records = records.exclude(session_key=keep)
    ended = 0
    for record in records:
        store(session_key=record.session_key).delete()
        record.delete()
        ended += 1
    return ended


# --- Tokens, passwords and removal --------------------------------------------------------


def revoke_all_tokens(*, user, reason: str) -> int:
    revoked = AccessToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if revoked:
        logger.info("%s access tokens of %s revoked: %s", revoked, user.get_username(), reason)
    return revoked


@transaction.atomic
def password_changed(*, request, user, previous_key: str | None = None) -> None:
    """After the person set a new password: their tokens and other sessions stop. This
    session, under the new key Django gave it, stays on the list."""
    if previous_key:
        SignedInSession.objects.filter(user=user, session_key=previous_key).update(
            session_key=request.session.session_key
        )
    revoke_all_tokens(user=user, reason="password changed")
    end_sessions(user=user, keep=request.session.session_key)
    record_event(user=user, kind=AccountEventKind.PASSWORD_CHANGED, actor=user, request=request)


@transaction.atomic
def deactivated(*, user, actor, request=None) -> None:
    """An administrator turned the account off: its sessions and tokens stop now."""
    end_sessions(user=user)
    revoke_all_tokens(user=user, reason="account deactivated")


@transaction.atomic
def remove_access(*, user, actor, request=None) -> None:
    """An administrator's "Remove access" (a person who left): every session ends, every
    token is revoked, every membership goes, the account is turned off (an administrator
    turns it on again to let the person back), and the provider's last confirmation is
    forgotten. Written to the audit trail."""
    sessions = end_sessions(user=user)
    tokens = revoke_all_tokens(user=user, reason=f"access removed by {actor.get_username()}")
    memberships = [
        f"{m.office.code} {m.role}"
        for m in Membership.objects.filter(user=user).select_related("office")
    ]
    Membership.objects.filter(user=user).delete()
    Profile.objects.filter(user=user).update(provider_checked_at=None)
    type(user).objects.filter(pk=user.pk).update(is_active=False)
    user.is_active = False
    record_event(
        user=user,
        kind=AccountEventKind.ACCESS_REMOVED,
        actor=actor,
        request=request,
        sessions=sessions,
        tokens=tokens,
        memberships=memberships,
    )
