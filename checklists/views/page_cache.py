"""Parts of pages kept rendered between visits, under a key that changes with what they show.

A checklist page of 100 items, or a project's page with its checklists, scores and chart,
is read and written out once per change rather than once per visit. Each key holds the
object's revision (``Checklist.revision``, and for a project the same count of its audit
entries with its last edit), read before the data, so the part rendered under a key is
never older than the key says; and the language, time zone and date it is written in.
The parts never hold anything tied to the request (a CSRF token, a message): the page
around them does.

The cache is each server process's memory (settings.CACHES["checklist_pages"]), emptied
by a restart; its timeout only bounds how long a renamed person or office takes to show.
"""

from collections.abc import Callable
from typing import Any

from django.core.cache import caches
from django.utils import timezone
from django.utils.translation import get_language


def key(*parts) -> str:
    """A cache key from what a part shows, with the language, time zone and date."""
    return ":".join(
        (
            *map(str, parts),
            get_language(),
            timezone.get_current_timezone_name(),
            timezone.localdate().isoformat(),
        )
    )


def kept(cache_key: str | None, render: Callable[[], Any]) -> Any:
    """What ``render`` returns, kept under the key; rendered afresh when the key is None."""
    if cache_key is None:
        return render()
    parts = caches["checklist_pages"]
    rendered = parts.get(cache_key)
    if rendered is None:
        rendered = render()
        parts.set(cache_key, rendered)
    return rendered
