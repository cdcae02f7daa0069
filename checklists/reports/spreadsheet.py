"""Spreadsheet exports: one sheet of projects, one of answers in long format.

Values are stable codes (phase, principle, response) so an analyst's formulas keep working
whatever the interface language; headers are in the user's language.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterator
from io import BytesIO

from django.utils.translation import gettext as _

from ..models import ActionPoint, Answer, Principle
from .portfolio import project_rows

ANSWER_BATCH = 2000


def project_header(principles) -> list[str]:
    return [
        _("Project code"),
        _("Title"),
        _("Office"),
        _("Region"),
        _("Donor"),
        _("Start date"),
        _("End date"),
        _("Current phase"),
        _("Endorsed"),
        *[_("%(principle)s score (%%)") % {"principle": p.code} for p in principles],
        *[_("%(principle)s rating") % {"principle": p.code} for p in principles],
        _("Overall score (%)"),
        _("Overall rating"),
        _("Overdue action points"),
    ]


def project_lines(projects, *, today: datetime.date) -> Iterator[list]:
    principles = list(Principle.objects.all())
    yield project_header(principles)
    for row in project_rows(projects, principles=principles, today=today):
        project = row["project"]
        scores = row["scores"]
        yield [
            project.code,
            project.title,
            project.office.name,
            project.office.region_id and project.office.region.name,
            project.donor,
            project.start_date,
            project.end_date,
            project.current_phase.code,
            "yes" if project.endorsed else "no",
            *[s.percent if s else None for s in scores],
            *[s.rating if s else "not_rated" for s in scores],
            row["overall"].percent if row["overall"] else None,
            row["overall"].rating if row["overall"] else "not_rated",
            project.overdue,
        ]


def answer_header() -> list[str]:
    return [
        _("Project code"),
        _("Office"),
        _("Phase"),
        _("Round"),
        _("Checklist status"),
        _("Item code"),
        _("Principle"),
        _("Critical"),
        _("Response"),
        _("Comment"),
        _("Reason it does not apply"),
        _("Action"),
        _("Owner"),
        _("Due date"),
        _("Done on"),
        _("Action status"),
    ]


def action_status(action: ActionPoint | None, today: datetime.date) -> str:
    if action is None or action.withdrawn_on is not None:
        return ""
    if action.done_on:
        return "done"
    if action.due_date and action.due_date < today:
        return "overdue"
    return "open"


def answer_lines(projects, *, today: datetime.date) -> Iterator[list]:
    """Every answer of these projects' checklists, read in batches (constant memory)."""
    yield answer_header()
    answers = (
        Answer.objects.filter(checklist__project__in=projects.values("pk"))
        .select_related(
            "checklist__project__office",
            "checklist__phase",
            "item__principle",
            "action_point__owner",
        )
        .order_by(
            "checklist__project__code", "checklist__phase__order", "checklist__round", "item__code"
        )
    )
    for answer in answers.iterator(chunk_size=ANSWER_BATCH):
        checklist = answer.checklist
        action = getattr(answer, "action_point", None)
        current = action if action is not None and action.withdrawn_on is None else None
        yield [
            checklist.project.code,
            checklist.project.office.code,
            checklist.phase.code,
            checklist.round,
            checklist.status,
            answer.item.code,
            answer.item.principle.code,
            "yes" if answer.item.critical else "no",
            answer.response,
            answer.comment,
            answer.not_applicable_reason,
            current.description if current else "",
            (current.owner.get_full_name() or current.owner.username)
            if current and current.owner
            else "",
            current.due_date if current else None,
            current.done_on if current else None,
            action_status(action, today),
        ]


def _safe_cell(value):
    # A cell starting with = + - @ would run as a formula in a spreadsheet program.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def workbook_bytes(projects, *, today: datetime.date) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, lines in (
        (_("Projects"), project_lines(projects, today=today)),
        (_("Answers"), answer_lines(projects, today=today)),
    ):
        sheet = workbook.create_sheet(title=title[:31])
        for line in lines:
            sheet.append([_safe_cell(value) for value in line])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class _Echo:
    def write(self, value):
        return value


def csv_rows(lines: Iterator[list]) -> Iterator[str]:
    """Lines as CSV text, for a StreamingHttpResponse; UTF-8 with a BOM for spreadsheet programs."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for line in lines:
        yield writer.writerow(
            [
                ""
                if v is None
                else (v.isoformat() if isinstance(v, datetime.date) else _safe_cell(v))
                for v in line
            ]
        )
