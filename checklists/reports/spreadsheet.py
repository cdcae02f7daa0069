"""Spreadsheet exports: one sheet of projects, one of answers in long format.

Values are stable codes (phase, principle, response) so an analyst's formulas keep working
whatever the interface language; headers are in the user's language.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterator
from io import BytesIO

from django.utils import translation
from django.utils.translation import gettext as _

from ..downloads import csv_value, sheet_row
from ..models import Answer, Checklist, Framework, Principle
from .portfolio import project_rows

CHECKLIST_BATCH = 200


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
        # Empty for the framework's items; an office's code for its own items (scored apart).
        _("Office item, added by"),
    ]


# Read per answer; the checklist's and the item's columns come from lookups made once.
ANSWER_COLUMNS = [
    "checklist_id",
    "item_id",
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


def _checklists_in_order(projects) -> list[tuple]:
    """The projects' checklists as the sheet lists them: by project, phase and round."""
    return list(
        Checklist.objects.filter(project__in=projects.values("pk"))
        .order_by("project__code", "phase__order", "round")
        .values_list(
            "pk",
            "framework_id",
            "project__code",
            "project__office__code",
            "phase__code",
            "round",
            "status",
        )
    )


def _item_columns(framework_id: int, item_ids, principles: dict) -> dict[int, tuple]:
    """Code, principle, "critical" and the office that added it (office items) of these
    items of a checklist started on that framework, by item id."""
    items = Framework.items_for_answers(framework_id, item_ids)
    return {
        pk: (
            item.code,
            principles[item.principle_id],
            "yes" if item.critical else "no",
            item.added_by.code if item.added_by else "",
        )
        for pk, item in items.items()
        if pk in item_ids
    }


def answer_lines(projects, *, today: datetime.date) -> Iterator[list]:
    """Every answer of these projects' checklists, as plain values, by project, phase, round
    and item code. Read a batch of checklists at a time, with no join to items (a published
    framework's items are kept in memory) nor to projects and phases (read once above)."""
    yield answer_header()
    principles = dict(Principle.objects.values_list("pk", "code"))
    checklists = _checklists_in_order(projects)
    item_columns: dict[int, dict] = {}
    for start in range(0, len(checklists), CHECKLIST_BATCH):
        batch = checklists[start : start + CHECKLIST_BATCH]
        answers: dict[int, list] = {pk: [] for pk, *_rest in batch}
        rows = (
            Answer.objects.filter(checklist_id__in=list(answers))
            .order_by()  # sorted below by item code: no join to items for the sort
            .values_list(*ANSWER_COLUMNS)
        )
        for row in rows:
            answers[row[0]].append(row)
        for pk, framework_id, project, office, phase, round_number, status in batch:
            items = item_columns.setdefault(framework_id, {})
            if missing := {row[1] for row in answers[pk]} - items.keys():
                items.update(_item_columns(framework_id, missing, principles))
            # The framework's items by code, then the office items (after them, as on pages).
            for row in sorted(answers[pk], key=lambda row: (items[row[1]][3], items[row[1]][0])):
                code, principle, critical, added_by = items[row[1]]
                yield [project, office, phase, round_number, status, code, principle, critical] + (
                    [*_answer_columns(row, today=today), added_by]
                )


def _answer_columns(row, *, today) -> list:
    """Response, comment, reason and current action point of one answer's row."""
    (response, comment, reason, description, first, last, username) = row[2:9]
    due, done_on, withdrawn_on = row[9:]
    exists = description is not None
    if not exists or withdrawn_on is not None:  # no action point, or a withdrawn one
        return [response, comment, reason, "", "", None, None, ""]
    owner = (f"{first} {last}".strip() or username) if username else ""
    status = action_status(due, done_on, withdrawn_on, exists=exists, today=today)
    return [response, comment, reason, description, owner, due, done_on, status]


def workbook_bytes(projects, *, today: datetime.date) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, lines in (
        (_("Projects"), project_lines(projects, today=today)),
        (_("Answers"), answer_lines(projects, today=today)),
    ):
        sheet = workbook.create_sheet(title=title[:31])
        # An Arabic workbook reads right to left, as the language does.
        sheet.sheet_view.rightToLeft = translation.get_language_bidi()
        for line in lines:
            sheet.append(sheet_row(sheet, line))
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
        yield writer.writerow([csv_value(value) for value in line])
