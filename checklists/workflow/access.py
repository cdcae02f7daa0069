"""Writing the access log (models/access_log.py): one entry per read, from the view that
served it, with the address projects/accounts.py trusts."""

from __future__ import annotations

from collections.abc import Iterable

from projects.accounts import client_address

from ..models import AccessKind, AccessLogEntry


def record_access(
    request,
    *,
    kind: AccessKind,
    what: str = "",
    project=None,
    evidence=None,
    offices: Iterable[int] = (),
    every_office: bool = False,
) -> AccessLogEntry:
    """Note that ``request.user`` read something: a project's (``project``) or, for a read
    across projects, the ``offices`` it covered (or ``every_office``)."""
    django_request = getattr(request, "_request", request)  # the API's request wraps it
    entry = AccessLogEntry.objects.create(
        user=request.user,
        kind=kind,
        what=what[:300],
        address=client_address(django_request),
        project=project,
        evidence=evidence,
        every_office=every_office,
    )
    # One insert whatever the number of offices (a page of API answers costs the same
    # queries for one project as for many).
    through = AccessLogEntry.offices.through
    office_ids = sorted(set(offices))
    if office_ids and not every_office:
        through.objects.bulk_create(
            [through(accesslogentry=entry, office_id=office_id) for office_id in office_ids]
        )
    return entry
