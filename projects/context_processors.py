from django.utils.translation import gettext_lazy as _

from . import permissions

# Words of static/js/offline.js, which runs on every page.
OFFLINE_TEXT = {
    "signOutWaitingOne": _(
        "%(count)s answer is not sent yet. It stays on this device and goes when you sign in "
        "again here. Sign out anyway?"
    ),
    "signOutWaitingMany": _(
        "%(count)s answers are not sent yet. They stay on this device and go when you sign in "
        "again here. Sign out anyway?"
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
        "offline_text": OFFLINE_TEXT,
    }
