from django.conf import settings
from django.utils.translation import gettext_lazy as _

from . import permissions
from .models import Role

# Words of static/js/offline.js and session.js, which run on every page.
OFFLINE_TEXT = {
    "signOutWaitingOne": _(
        "%(count)s answer is not sent yet. Signing out removes it from this device and it is "
        "lost. Wait until it is sent, or sign out anyway?"
    ),
    "signOutWaitingMany": _(
        "%(count)s answers are not sent yet. Signing out removes them from this device and "
        "they are lost. Wait until they are sent, or sign out anyway?"
    ),
    "idleWarning": _(
        "Nothing was done here for a while: you will be signed out in %(minutes)s min. What "
        "you typed is kept."
    ),
    "signOutAnyway": _("Sign out anyway"),
    "needsConnection": _("This needs a connection. Try again when you are back online."),
}


def navigation(request):
    """Which sections the navigation offers this user, and the words of the offline script."""
    user = getattr(request, "user", None)
    return {
        "nav_portfolio": bool(user and permissions.can_view_portfolio(user)),
        "nav_frameworks": bool(user and permissions.can_author_frameworks(user)),
        "nav_office_items": bool(
            user
            and (
                permissions.can_author_frameworks(user)
                or Role.FOCAL_POINT in permissions.roles_in_scope(user)
            )
        ),
        "offline_text": OFFLINE_TEXT,
        "session_idle_seconds": int(settings.SESSION_IDLE_MINUTES * 60),
        "session_idle_warning_seconds": settings.SESSION_IDLE_WARNING_SECONDS,
    }
