import zoneinfo

from django.utils import timezone

SESSION_KEY = "time_zone"


class UserTimeZoneMiddleware:
    """Show dates and times in the user's time zone, remembered in the session at login."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        name = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        if name:
            try:
                timezone.activate(zoneinfo.ZoneInfo(name))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)
