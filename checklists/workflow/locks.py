"""Row locks, always taken in one order so that two workflow actions never deadlock:

    project -> checklist -> answer -> action point -> principle tally -> project tally
    -> monitoring round tally

Every workflow function that changes more than one of these locks them in that order,
inside its own short transaction (never the whole request's).
"""

from __future__ import annotations

from django.db import connection

from projects.models import Project

from ..models import ActionPoint, Answer, Checklist, Framework, Phase


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
        Checklist.objects.select_related("phase", "project")
        .select_for_update(of=("self",))
        .get(pk=checklist_id)
    )


def lock_answer(checklist: Checklist, answer_id: int) -> Answer:
    """The answer, locked for its change, with its checklist's status held still and read
    afresh, in one statement; then its action point, locked and read after the lock (an
    action point marked done meanwhile is seen, not overwritten). Its item comes from the
    framework's items, which a published framework keeps in memory.

    PostgreSQL takes both row locks in the one query (FOR UPDATE OF the answer, FOR SHARE
    OF the checklist): many saves of one checklist run at once, while submitting or deciding,
    which lock the checklist row exclusively, wait for them. SQLite has no row locks; its
    IMMEDIATE transactions queue every writer. Raises Answer.DoesNotExist for an answer of
    another checklist.
    """
    answers, checklists = Answer._meta.db_table, Checklist._meta.db_table
    projects = Project._meta.db_table
    locks = " FOR UPDATE OF a FOR SHARE OF c" if connection.vendor == "postgresql" else ""
    found = list(
        Answer.objects.raw(
            f"SELECT a.*, c.status AS checklist_status, p.archived AS project_archived "  # noqa: S608
            f"FROM {answers} a JOIN {checklists} c ON c.id = a.checklist_id "
            f"JOIN {projects} p ON p.id = c.project_id "
            f"WHERE a.id = %s AND a.checklist_id = %s{locks}",
            [answer_id, checklist.pk],
        )
    )
    if not found:
        raise Answer.DoesNotExist
    answer = found[0]
    checklist.status = answer.checklist_status
    checklist.project.archived = bool(answer.project_archived)
    answer.checklist = checklist
    answer.item = Framework.items_for_answers(checklist.framework_id, [answer.item_id])[
        answer.item_id
    ]
    action = (
        ActionPoint.objects.select_for_update(of=("self",))
        .select_related("owner")
        .filter(answer=answer)
        .first()
    )
    Answer.action_point.related.set_cached_value(answer, action)
    if action is not None:
        action.answer = answer
    return answer
