from . import permissions


def navigation(request):
    """Which sections the navigation offers this user."""
    user = getattr(request, "user", None)
    return {"nav_portfolio": bool(user and permissions.can_view_portfolio(user))}
