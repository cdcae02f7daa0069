"""Who may do what with their own account: access tokens, sessions, and which accounts
reach beyond one office (split from projects/permissions, which scopes by office)."""

from django.http import Http404

from .models import AccessToken, Role, SignedInSession
from .permissions import _memberships, sees_every_office


def may_hold_access_tokens(user) -> bool:
    """Anyone signed in may make tokens for the API: a token reads what its owner reads."""
    return user.is_authenticated


def get_access_token_for_user(user, pk) -> AccessToken:
    """One of the user's own access tokens; anybody else's is 404."""
    try:
        return AccessToken.objects.get(pk=pk, user=user)
    except (AccessToken.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def holds_wide_powers(user) -> bool:
    """Accounts that reach beyond one office: administrators (and anyone with the admin),
    HQ-wide roles (any role in a headquarters office: HQ managers see every office, an HQ
    focal point endorses for every office under it; framework editors, whose framework
    every office fills). They need a second factor, and are never linked to an
    organisation account by e-mail alone."""
    if not user.is_authenticated:
        return False
    return (
        user.is_superuser
        or user.is_staff
        or sees_every_office(user)
        or any(
            m.role == Role.FRAMEWORK_EDITOR or m.office.is_headquarters for m in _memberships(user)
        )
    )


def get_signed_in_session_for_user(user, pk):
    """One of the user's own sessions; anybody else's is 404."""
    try:
        return SignedInSession.objects.get(pk=pk, user=user)
    except (SignedInSession.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
