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

from ..models import Answer, Principle
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


ANSWER_COLUMNS = [
    "checklist__project__code",
    "checklist__project__office__code",
    "checklist__phase__code",
    "checklist__round",
    "checklist__status",
    "item__code",
    "item__principle__code",
    "item__critical",
    "response",
    "comment",
    "not_applicable_reason",
    "action_point__description",
    "action_point__owner__first_name",
    "action_point__owner__last_name",
    "action_point__owner__username",
    "action_point__due_date",
    "action_point__done_on",
    "action_point__withdrawn_on",
]


def action_status(due, done_on, withdrawn_on, *, exists: bool, today: datetime.date) -> str:
    if not exists or withdrawn_on is not None:
        return ""
    if done_on:
        return "done"
    if due and due < today:
        return "overdue"
    return "open"


def answer_lines(projects, *, today: datetime.date) -> Iterator[list]:
    """Every answer of these projects' checklists, as plain values read in batches."""
    yield answer_header()
    rows = (
        Answer.objects.filter(checklist__project__in=projects.values("pk"))
        .order_by(
            "checklist__project__code", "checklist__phase__order", "checklist__round", "item__code"
        )
        .values_list(*ANSWER_COLUMNS)
    )
    for row in rows.iterator(chunk_size=ANSWER_BATCH):
        # Project, office, phase, round, status, item and principle go out as read.
        (critical, response, comment, reason, description, first, last, username) = row[7:15]
        due, done_on, withdrawn_on = row[15:]
        exists = description is not None
        current = exists and withdrawn_on is None
        owner = (f"{first} {last}".strip() or username) if current and username else ""
        yield [
            *row[:7],
            "yes" if critical else "no",
            response,
            comment,
            reason,
            description if current else "",
            owner,
            due if current else None,
            done_on if current else None,
            action_status(due, done_on, withdrawn_on, exists=exists, today=today),
        ]


def safe_cell(value):
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
            sheet.append([safe_cell(value) for value in line])
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
                else (v.isoformat() if isinstance(v, datetime.date) else safe_cell(v))
                for v in line
            ]
        )
