"""Row locks, always taken in one order so that two workflow actions never deadlock:

    project -> checklist -> answer -> action point -> principle tally

Every workflow function that changes more than one of these locks them in that order,
inside its own short transaction (never the whole request's).
"""

from __future__ import annotations

from django.db import connection

from projects.models import Project

from ..models import Checklist


def lock_project(project_id: int) -> Project:
    return Project.objects.select_for_update().select_related("current_phase").get(pk=project_id)


def lock_checklist(checklist_id: int, *, shared: bool = False) -> Checklist:
    """The checklist row, locked against a change of status.

    ``shared`` lets many answer saves run at once (they only need the status to stay put)
    while submitting or deciding, which take the exclusive lock, waits for them: PostgreSQL's
    FOR SHARE. SQLite has no row locks; its IMMEDIATE transactions serialise all writes.
    """
    checklists = Checklist.objects.select_related("phase")
    if shared and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT 1 FROM {Checklist._meta.db_table} WHERE id = %s FOR SHARE",  # noqa: S608
                [checklist_id],
            )
        return checklists.get(pk=checklist_id)
    return checklists.select_for_update(of=("self",)).get(pk=checklist_id)
