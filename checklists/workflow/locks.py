"""Row locks, always taken in one order so that two workflow actions never deadlock:

    project -> checklist -> answer -> action point -> principle tally

Every workflow function that changes more than one of these locks them in that order,
inside its own short transaction (never the whole request's).
"""

from __future__ import annotations

from django.db import connection

from projects.models import Project

from ..models import Checklist, Phase


def lock_project(project_id: int) -> Project:
    """The project row, locked; its phase read after the lock.

    No join in the locking query: when PostgreSQL waits for the lock and then re-checks the
    row, a joined row is not read again, so a phase moved meanwhile would make the project
    seem to vanish.
    """
    project = Project.objects.select_for_update().get(pk=project_id)
    project.current_phase = Phase.objects.get(pk=project.current_phase_id)
    return project


def lock_checklist(checklist_id: int) -> Checklist:
    """The checklist row, locked for a change of status (submitting, deciding)."""
    return (
        Checklist.objects.select_related("phase")
        .select_for_update(of=("self",))
        .get(pk=checklist_id)
    )


def share_checklist(checklist: Checklist) -> Checklist:
    """Hold the checklist's status still while its answers change, and read it afresh.

    A shared lock (PostgreSQL's FOR SHARE): many answer saves and action points run at once,
    while submitting or deciding, which lock the row exclusively, wait for them. SQLite has
    no row locks; its IMMEDIATE transactions queue every writer.
    """
    table = Checklist._meta.db_table
    lock = " FOR SHARE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT status FROM {table} WHERE id = %s{lock}", [checklist.pk])
        row = cursor.fetchone()
    if row is None:
        raise Checklist.DoesNotExist
    checklist.status = row[0]
    return checklist
