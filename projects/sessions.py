"""A session on a shared computer: how long it lasts, and what the browser keeps of it.

In a field office one laptop serves a whole team. So a session ends when the browser closes
(its cookie lives in memory only), after SESSION_IDLE_MINUTES without use (autosave and
typing count as use), and in any case SESSION_COOKIE_AGE after signing in. And what the
browser keeps for a person (pages for use offline, answers waiting to be sent, a text
being typed) belongs to that person and that session:

- every response for a signed-in person says ``Cache-Control: no-store``, so the browser's
  own cache never holds a personal page (the service worker keeps pages on purpose, below);
- a cookie that scripts can read, the *signed-in marker* (``<user id>.<end>.<idle end>``),
  tells the service worker and the pages, without the network, whose session this
  browser holds and until when. It lives in memory like the session cookie. Kept pages and
  waiting answers of anyone else, or of a session that is over, are served to nobody and
  deleted (static/js/sw.js, static/js/session.js);
- the browser is told to delete everything it keeps for the app (``Clear-Site-Data``) at
  sign-out, when another person signs in, when the session's limit has passed, and on the
  first visit after the browser was closed on a session (a second cookie, with no
  personal data, says the browser kept something);
- after an idle timeout the marker stays until the session's limit: the same person
  signing in again finds their waiting answers and sends them; anyone else signing in
  makes the browser delete them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib import auth
from django.utils.translation import gettext_lazy

SIGNED_IN_AT = "signed_in_at"
LAST_USE = "last_use"
# Why the last session ended by itself ("idle" or "limit"), for the login page to say.
ENDED = "session_ended"
# The person signed in with the organisation's account (its session may outlive ours).
ORGANISATION = "organisation_sign_in"

MARKER_COOKIE = "pmapp_signed_in"
KEPT_COOKIE = "pmapp_kept"
# Set at sign-out: the next organisation sign-in from this browser asks for the password.
SIGN_IN_AGAIN_COOKIE = "pmapp_sign_in_again"
CLEAR_SITE_DATA = '"cache", "storage"'

# Use is written to the session at most this often (or a tenth of the idle time, if
# shorter): an autosave a second needs no write.
USE_RECORDED_EVERY = 60


@dataclass(frozen=True)
class Marker:
    """What the signed-in marker says."""

    user_id: int
    ends_at: int
    idle_ends_at: int

    @classmethod
    def read(cls, request) -> Marker | None:
        try:
            user_id, ends_at, idle_ends_at = request.COOKIES[MARKER_COOKIE].split(".")
            return cls(int(user_id), int(ends_at), int(idle_ends_at))
        except (KeyError, ValueError):
            return None

    def __str__(self) -> str:
        return f"{self.user_id}.{self.ends_at}.{self.idle_ends_at}"


def idle_seconds() -> int:
    return int(settings.SESSION_IDLE_MINUTES * 60)


def ended_by_itself(session, now: float) -> str | None:
    """Why a signed-in session is over, if it is: "idle" or "limit"."""
    signed_in_at = session.get(SIGNED_IN_AT)
    if signed_in_at is not None and now - signed_in_at > settings.SESSION_COOKIE_AGE:
        return "limit"
    last_use = session.get(LAST_USE)
    if last_use is not None and now - last_use > idle_seconds():
        return "idle"
    return None


def session_begins(sender, request, user, **kwargs) -> None:
    """A person has just signed in (Django's user_logged_in): the session's clocks start,
    and what the browser kept for someone else goes (the response tells it, see
    ``device_headers``)."""
    if request is None:
        return
    now = time.time()
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_USE] = now
    previous = Marker.read(request)
    request.clear_device = previous is not None and previous.user_id != user.pk
    request.renew_marker = True


def record_use(request, now: float) -> None:
    """The signed-in person did something: the idle clock starts again."""
    session = request.session
    session.setdefault(SIGNED_IN_AT, now)  # a session from before these rules, or the admin's
    last_use = session.get(LAST_USE)
    if last_use is None or now - last_use >= min(USE_RECORDED_EVERY, idle_seconds() / 10):
        session[LAST_USE] = now
        request.renew_marker = True
    elif Marker.read(request) is None:
        request.renew_marker = True


def end(request, reason: str) -> None:
    """The session is over by itself: signed out, saying why on the login page."""
    auth.logout(request)
    request.session[ENDED] = reason
    request.clear_device = reason == "limit"


def forget_device(response) -> None:
    """Tell the browser to delete what it keeps for the app: its cache, Cache Storage,
    IndexedDB, localStorage (the pages ask the same of themselves, for older browsers)."""
    response["Clear-Site-Data"] = CLEAR_SITE_DATA
    response.delete_cookie(MARKER_COOKIE, samesite="Lax")
    response.delete_cookie(KEPT_COOKIE, samesite="Lax")


def device_headers(request, response) -> None:
    """What the browser may keep of this response, and whose session it holds."""
    signed_in = request.user.is_authenticated
    if signed_in or getattr(request, "was_signed_in", False):
        response["Cache-Control"] = "no-store"
    else:
        response.setdefault("Cache-Control", "no-store")
    if getattr(request, "clear_device", False):
        forget_device(response)
    elif not signed_in:
        marker = Marker.read(request)
        over = marker is not None and marker.ends_at < time.time()
        closed = marker is None and bool(request.COOKIES.get(KEPT_COOKIE))
        if over or closed:  # the browser keeps a session that is over
            forget_device(response)
    if signed_in:
        response["X-Pmapp-User"] = str(request.user.pk)
        if getattr(request, "renew_marker", False):
            set_marker(request, response)


def set_marker(request, response) -> None:
    session = request.session
    marker = Marker(
        user_id=request.user.pk,
        ends_at=int(session[SIGNED_IN_AT] + settings.SESSION_COOKIE_AGE),
        idle_ends_at=int(session[LAST_USE] + idle_seconds()),
    )
    secure = settings.SESSION_COOKIE_SECURE
    # No max_age: like the session cookie, it ends when the browser closes.
    response.set_cookie(MARKER_COOKIE, str(marker), secure=secure, samesite="Lax")
    response.set_cookie(
        KEPT_COOKIE,
        "1",
        max_age=settings.SESSION_KEPT_COOKIE_DAYS * 24 * 3600,
        secure=secure,
        httponly=True,
        samesite="Lax",
    )


# A page sends, with what was typed on it, who was signed in when it was opened
# (``signed_in_as``): a tab left open by someone who has gone never sends their answers
# under the name of the next person signed in.
TYPED_BY_SOMEONE_ELSE = gettext_lazy(
    "This page was opened by someone who was signed in before you on this browser. What "
    "was typed on it was not saved under your name: that person must sign in again to "
    "send it."
)


def typed_by_someone_else(request) -> bool:
    """Whether the values posted were typed under another person's session."""
    typed_by = request.POST.get("signed_in_as")
    return typed_by is not None and typed_by != str(request.user.pk)


class SessionLifetimeMiddleware:
    """Ends sessions that are over (idle, or past their limit), records use, and says on
    every response what the browser may keep (``device_headers``). After the
    authentication middleware, before the one that sends anonymous people to log in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            request.was_signed_in = True
            now = time.time()
            reason = ended_by_itself(request.session, now)
            if reason:
                end(request, reason)
            else:
                record_use(request, now)
        response = self.get_response(request)
        device_headers(request, response)
        return response
