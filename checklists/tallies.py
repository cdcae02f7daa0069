"""The stored counts dashboards read, kept in step by the workflow (checklists/scoring.py
computes scores from them):

- ``PrincipleTally``: per checklist and principle, moved by every saved answer;
- ``ProjectTally``: per project and principle, the sum of its reported (submitted and
  approved) checklists' tallies, for the heat map and the project rows;
- ``MonitoringRoundTally``: per reported monitoring round, its principles added up, with
  when it was submitted, for the trend.

The last two move when a checklist is reported or returned (``reported_status_changed``)
and when a gap of a reported checklist closes (``change_tally(..., project_id=...)``):
always by adding to the stored values, so that two changes at once both land, and last in
workflow/locks.py's order. ``python manage.py refresh_tallies`` recounts all three.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import F

from .models import (
    REPORTED_STATUSES,
    Answer,
    Checklist,
    MonitoringRoundTally,
    PhaseCode,
    Principle,
    PrincipleTally,
    ProjectTally,
)
from .scoring import COUNT_FIELDS, FRAMEWORK_ITEMS, Counts, count_by, count_tallies, counts_by_code


def refresh_tallies(checklist_ids: Iterable[int]) -> None:
    """Recount the tallies of these checklists from their answers.

    An upsert, so two recounts of one checklist at once never collide on the unique
    (checklist, principle) pair; the workflow calls it with the checklist row locked.
    """
    checklist_ids = list(checklist_ids)
    counts = count_by(
        Answer.objects.filter(FRAMEWORK_ITEMS, checklist_id__in=checklist_ids),
        "checklist_id",
        "item__principle_id",
    )
    PrincipleTally.objects.bulk_create(
        (
            PrincipleTally(checklist_id=checklist_id, principle_id=principle_id, **vars(c))
            for (checklist_id, principle_id), c in counts.items()
        ),
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["checklist", "principle"],
        update_fields=COUNT_FIELDS,
    )
    # And what is summed from them, for those already reported (setting up, a checklist
    # from before tallies existed): the workflow's own steps move those as they go.
    reported = Checklist.objects.filter(pk__in=checklist_ids, status__in=REPORTED_STATUSES)
    if projects := set(reported.values_list("project_id", flat=True)):
        refresh_reported_tallies(projects)


@transaction.atomic
def refresh_reported_tallies(project_ids: Iterable[int]) -> None:
    """Recount these projects' tallies and their monitoring rounds' from their reported
    checklists' tallies (setting up, or the command; the workflow moves them as it goes).
    One transaction, with what it counts held still: readers see the old rows until the
    new ones are in, and a workflow step at the same moment is never counted over."""
    project_ids = list(project_ids)
    _hold_reported_checklists(project_ids)
    reported = PrincipleTally.objects.filter(
        checklist__project_id__in=project_ids, checklist__status__in=REPORTED_STATUSES
    )
    sums = count_tallies(reported, "checklist__project_id", "principle_id")
    ProjectTally.objects.filter(project_id__in=project_ids).delete()
    ProjectTally.objects.bulk_create(
        (ProjectTally(project_id=p, principle_id=pr, **vars(c)) for (p, pr), c in sums.items()),
        batch_size=2000,
    )
    rounds = reported.filter(
        checklist__phase__code=PhaseCode.IMPLEMENTATION, checklist__submitted_at__isnull=False
    )
    group = ("checklist_id", "checklist__project_id", "checklist__submitted_at")
    MonitoringRoundTally.objects.filter(project_id__in=project_ids).delete()
    MonitoringRoundTally.objects.bulk_create(
        (
            MonitoringRoundTally(
                checklist_id=checklist, project_id=project, submitted_at=at, **vars(c)
            )
            for (checklist, project, at), c in count_tallies(rounds, *group).items()
        ),
        batch_size=2000,
    )


def _hold_reported_checklists(project_ids: list[int]) -> None:
    """On PostgreSQL, lock these projects' checklists and their reported tallies for share
    until the recount commits (workflow/locks.py's order): a submission or a decision
    (which lock the checklist for update) and a closed gap (which updates a tally) wait
    for it, or it waits for them to commit and then counts them. SQLite's IMMEDIATE
    transactions already queue every writer."""
    if connection.vendor != "postgresql":
        return
    checklists, tallies = Checklist._meta.db_table, PrincipleTally._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {checklists} WHERE project_id = ANY(%s) "  # noqa: S608 - names
            f"ORDER BY id FOR SHARE",
            [project_ids],
        )
        cursor.execute(
            f"SELECT t.id FROM {tallies} t JOIN {checklists} c ON c.id = t.checklist_id "  # noqa: S608
            f"WHERE c.project_id = ANY(%s) AND c.status = ANY(%s) ORDER BY t.id FOR SHARE OF t",
            [project_ids, list(REPORTED_STATUSES)],
        )


def reported_status_changed(checklist, previous: str) -> None:
    """Add the checklist's tallies to its project's (and its round's, for a monitoring
    round) when it is reported (submitted); take them out when it no longer is (returned);
    nothing when it stays either (approved)."""
    sign = (checklist.status in REPORTED_STATUSES) - (previous in REPORTED_STATUSES)
    if not sign:
        return
    rows = PrincipleTally.objects.filter(checklist=checklist)
    by_principle = {
        pk: Counts(*counts) for pk, *counts in rows.values_list("principle_id", *COUNT_FIELDS)
    }
    move_project_tally(
        checklist.project_id,
        {pk: {name: sign * n for name, n in vars(c).items()} for pk, c in by_principle.items()},
    )
    if checklist.phase.code != PhaseCode.IMPLEMENTATION:
        return
    if sign > 0:
        total = sum(by_principle.values(), Counts())
        MonitoringRoundTally.objects.update_or_create(
            checklist=checklist,
            defaults={
                "project_id": checklist.project_id,
                "submitted_at": checklist.submitted_at,
                **vars(total),
            },
        )
    else:
        MonitoringRoundTally.objects.filter(checklist=checklist).delete()


def move_project_tally(project_id: int, changes: dict[int, dict[str, int]]) -> None:
    """Add ``changes`` (per principle: field -> amount) to the project's tallies. Missing
    rows are made first; rows change in principle order, so two moves never deadlock."""
    missing = (ProjectTally(project_id=project_id, principle_id=pk) for pk in sorted(changes))
    ProjectTally.objects.bulk_create(missing, ignore_conflicts=True)
    for principle_id in sorted(changes):
        ProjectTally.objects.filter(project_id=project_id, principle_id=principle_id).update(
            **{name: F(name) + amount for name, amount in changes[principle_id].items()}
        )


def change_tally(
    *, checklist_id: int, principle_id: int, before: Counts, after: Counts, project_id=None
) -> dict[str, Counts] | None:
    """Move one answer's weight in its principle's tally from ``before`` to ``after``, and
    return the checklist's counts by principle code after the change (None when nothing
    moved: the scores are as they were).

    One UPDATE instead of a recount of the whole checklist. On PostgreSQL the same statement
    returns every tally (a data-modifying WITH: the changed row as updated, the others as
    they are), so an autosave reads its new scores without another round trip. Falls back
    to a recount when the tally row is missing (a checklist from before tallies existed).
    With ``project_id`` (a reported checklist) its project's tally and, for a monitoring
    round, its round's move by as much.
    """
    delta = {
        name: getattr(after, name) - getattr(before, name)
        for name in COUNT_FIELDS
        if getattr(after, name) != getattr(before, name)
    }
    if not delta:
        return None
    counts = None
    if connection.vendor == "postgresql":
        counts = _change_and_read_tallies(checklist_id, principle_id, delta)
    if counts is None:
        updated = PrincipleTally.objects.filter(
            checklist_id=checklist_id, principle_id=principle_id
        ).update(**{name: F(name) + change for name, change in delta.items()})
        if not updated:
            refresh_tallies([checklist_id])  # its project's recounted too, if reported
            return counts_by_code(checklist_id)
        counts = counts_by_code(checklist_id)
    if project_id is not None:  # after the checklist's tally, in locks.py's order
        move_project_tally(project_id, {principle_id: delta})
        MonitoringRoundTally.objects.filter(checklist_id=checklist_id).update(
            **{name: F(name) + change for name, change in delta.items()}
        )
    return counts


def _change_and_read_tallies(checklist_id, principle_id, delta) -> dict[str, Counts] | None:
    """The UPDATE and the read in one statement; None when the tally row is missing."""
    tallies, principles = PrincipleTally._meta.db_table, Principle._meta.db_table
    columns = ", ".join(COUNT_FIELDS)
    assignments = ", ".join(f"{name} = {name} + %s" for name in delta)
    sql = (
        f"WITH changed AS (UPDATE {tallies} SET {assignments} "  # noqa: S608 - field names
        f"WHERE checklist_id = %s AND principle_id = %s RETURNING principle_id, {columns}) "
        f"SELECT p.code, t.changed, {columns} FROM ("
        f"SELECT principle_id, false AS changed, {columns} FROM {tallies} "
        f"WHERE checklist_id = %s AND principle_id <> %s "
        f"UNION ALL SELECT principle_id, true, {columns} FROM changed) t "
        f"JOIN {principles} p ON p.id = t.principle_id"
    )
    params = [*delta.values(), checklist_id, principle_id, checklist_id, principle_id]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not any(changed for _code, changed, *_values in rows):
        return None
    return {code: Counts(*values) for code, _changed, *values in rows}
