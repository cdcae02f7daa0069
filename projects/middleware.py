"""Middleware of the app: the user's time zone, and requests refused or failed with a page
in the user's language."""

import codecs
import re
import zoneinfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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


def wants_json(request) -> bool:
    """Requests from the app's scripts (autosave) get their errors as JSON."""
    return "application/json" in request.headers.get("Accept", "") or request.headers.get(
        "X-Requested-With"
    ) in ("fetch", "XMLHttpRequest")


def error_response(request, *, status: int, title: str, message: str):
    """An app-styled error page (or JSON for scripts) in the user's language."""
    if wants_json(request):
        return JsonResponse({"status": "error", "message": str(message)}, status=status)
    return render(
        request, "error.html", {"title": title, "message": message, "status": status}, status=status
    )


# Encodings a form body may come in; browsers send UTF-8 (ASCII is a part of it).
READABLE_CHARSETS = {"utf-8", "ascii"}


class RequestBodyMiddleware:
    """Refuses, with a clear message and before anything reads it, a request body that is
    too large (413) or declared in an encoding other than UTF-8 (400): read as UTF-16, a
    form body turns into text no one typed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            refusal = self.refusal(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    @staticmethod
    def refusal(request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = upload_limit(request)
        if limit is not None and length > limit:
            return too_large(request, limit)
        charset = request.content_params.get("charset")
        if charset:
            try:
                name = codecs.lookup(charset).name
            except LookupError:
                name = charset
            if name not in READABLE_CHARSETS:
                return error_response(
                    request,
                    status=400,
                    title=_("The form could not be read"),
                    message=_(
                        "It was sent in an encoding the app does not read. Reload the page "
                        "and send the form again."
                    ),
                )
        return None


# A framework workbook may weigh up to 5 MB (its view says so when it is larger); a little
# more is let through so that the view, not this middleware, gives that message.
FILE_UPLOAD_LIMIT = 6 * 1024 * 1024


# The addresses that take a file: an evidence file on an answer.
EVIDENCE_UPLOAD = re.compile(r"^/checklists/\d+/answers/\d+/evidence/$")


def upload_limit(request) -> int | None:
    """The largest body accepted: forms are small; a framework file or an evidence file
    may be larger (the view then says when the file itself is too large)."""
    if request.path == reverse("checklists:framework-import"):
        return FILE_UPLOAD_LIMIT
    if EVIDENCE_UPLOAD.match(request.path):
        return settings.EVIDENCE_MAX_BYTES + 1024 * 1024
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def too_large(request, limit=None):
    limit = limit or settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    megabytes = limit / (1024 * 1024)
    return error_response(
        request,
        status=413,
        title=_("What you sent is too large"),
        message=_(
            "The app accepts up to %(size)s MB at a time. Shorten the text and send it again."
        )
        % {"size": f"{megabytes:.1f}".rstrip("0").rstrip(".")},
    )


class ErrorPageMiddleware:
    """The app's own 403 and 404 pages, in the user's language, also while DEBUG is on:
    a user who follows a link to another office's project sees "not found", never
    Django's debug page with the list of every address of the app."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Http404):
            return not_found(request)
        if isinstance(exception, PermissionDenied):
            return forbidden(request)
        return None


# The title and message of each error page.
ERROR_PAGES = {
    400: (
        gettext_lazy("The request could not be read"),
        gettext_lazy("Reload the page and try again."),
    ),
    403: (
        gettext_lazy("Not allowed"),
        gettext_lazy(
            "Your role does not allow this. If you need it, ask your office's administrator."
        ),
    ),
    404: (
        gettext_lazy("Page not found"),
        gettext_lazy(
            "This page does not exist, or it belongs to an office you are not a member of. "
            "Check the address, or go back to your projects."
        ),
    ),
}


def error_page(request, status: int):
    title, message = ERROR_PAGES[status]
    return error_response(request, status=status, title=title, message=message)


def not_found(request, exception=None):
    return error_page(request, 404)


def forbidden(request, exception=None):
    return error_page(request, 403)


def bad_request(request, exception=None):
    if isinstance(exception, RequestDataTooBig):
        return too_large(request)
    return error_page(request, 400)


def server_error(request):
    # Nothing here may fail in turn: a plain template, no database query.
    html = render_to_string("500.html")
    return HttpResponseServerError(html)
