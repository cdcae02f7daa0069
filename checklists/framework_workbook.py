"""Framework versions as a spreadsheet or a JSON file, for the HQ protection unit to edit.

The workbook is the template a user fills: a first sheet that explains every column and
names the framework, an "Items" sheet (one row per item, one column per language for each
text: ``question::en``, ``question::fr``...), with drop-down lists for phase, principle,
sector and the yes/no columns, and the reference sheets those lists come from (principles,
phases, sectors, topics, good practices). The JSON file is the fixture format of
``fixtures/framework_v*.json``.

Reading a file never writes anything: it returns the framework's content and every problem
found, by row and column, in the user's language. A draft is created from it only when
there is no problem (``workflow.import_framework_draft``).
"""

from __future__ import annotations

import io
import json

from django.utils.translation import gettext as _

from projects.models import Sector

from .downloads import sheet_row
from .framework_rules import LANGUAGES, TEXTS, in_language, text_names
from .models import Framework, GoodPractice, Phase, Principle, Topic

# Sector columns of the Items sheet: at least this many, more when an item of the
# framework has more sectors (an export always holds every sector of every item).
SECTOR_COLUMNS = 3
ITEMS_SHEET = "Items"
YES, NO = "yes", "no"


def item_columns(sector_columns: int = SECTOR_COLUMNS) -> list[str]:
    """The Items sheet's header, with ``sector_columns`` sector columns."""
    return [
        "code",
        "phase",
        "principle",
        "order",
        "critical",
        "not_applicable",
        *[f"sector_{n}" for n in range(1, sector_columns + 1)],
        "topics",
        *[f"{text}::{language}" for text in TEXTS for language in LANGUAGES],
    ]


ITEM_COLUMNS = item_columns()


def is_item_column(column: str) -> bool:
    """A column the import reads: one of ITEM_COLUMNS, or any further sector column."""
    return column in ITEM_COLUMNS or (
        column.startswith("sector_") and column.removeprefix("sector_").isdigit()
    )


def column_help() -> dict[str, str]:
    """What each column of the Items sheet holds, for the first sheet."""
    helps = {
        "code": _("Stable code of the item, unique in the version, for example DES-SAF-03."),
        "phase": _("Phase code, from the Phases sheet (list in the cell)."),
        "principle": _("Principle code, from the Principles sheet (list in the cell)."),
        "order": _("Position of the item among the items of its phase and principle."),
        "critical": _("yes if a “no” to this item is a critical gap, otherwise no."),
        "not_applicable": _(
            "yes if the item may be answered “not applicable”; no for items that apply to "
            "every project (PSEA, data protection)."
        ),
        "topics": _("Topic codes from the Topics sheet, separated by commas."),
    }
    for n in range(1, SECTOR_COLUMNS + 1):
        helps[f"sector_{n}"] = _(
            "A sector code from the Sectors sheet, when the item is only for projects of that "
            "sector. Leave the sector columns empty for items that apply to every project."
        )
    names = text_names()
    for text in TEXTS:
        for language in LANGUAGES:
            helps[f"{text}::{language}"] = _("The item's %(text)s %(in_language)s.") % {
                "text": names[text],
                "in_language": in_language(language),
            }
    return helps


# --- Export -------------------------------------------------------------------------------


def framework_content(framework: Framework) -> dict:
    """The framework version in the fixture format (fixtures/framework_v*.json)."""
    items = framework.items.select_related("phase", "principle").prefetch_related(
        "sectors", "topics"
    )
    return {
        "code": framework.code,
        "version": framework.version,
        "name": {lang: getattr(framework, f"name_{lang}") or "" for lang in LANGUAGES},
        "items": [
            {
                "code": item.code,
                "phase": item.phase.code,
                "principle": item.principle.code,
                "order": item.order,
                "critical": item.critical,
                "not_applicable": item.not_applicable_allowed,
                "sectors": [s.code for s in item.sectors.all()],
                "topics": [t.code for t in item.topics.all()],
                **{
                    text: {lang: getattr(item, f"{text}_{lang}") or "" for lang in LANGUAGES}
                    for text in TEXTS
                },
            }
            for item in items
        ],
    }


def export_json(framework: Framework) -> bytes:
    content = framework_content(framework)
    return json.dumps(content, ensure_ascii=False, indent=1).encode()


def _item_row(item: dict, sector_columns: int) -> list:
    sectors = item["sectors"] + [""] * (sector_columns - len(item["sectors"]))
    return [
        item["code"],
        item["phase"],
        item["principle"],
        item["order"],
        YES if item["critical"] else NO,
        YES if item["not_applicable"] else NO,
        *sectors,
        ", ".join(item["topics"]),
        *[item[text].get(lang, "") for text in TEXTS for lang in LANGUAGES],
    ]


def _reference_sheets(workbook) -> dict[str, str]:
    """The sheets the drop-down lists come from; returns each list's cell range."""
    ranges = {}
    sheets = [
        ("Principles", "principle", Principle.objects.all(), ["name", "description"]),
        ("Phases", "phase", Phase.objects.all(), ["name", "description"]),
        ("Sectors", "sector", Sector.objects.all(), ["name"]),
        ("Topics", "topic", Topic.objects.all(), ["name"]),
    ]
    for title, key, rows, texts in sheets:
        sheet = workbook.create_sheet(title)
        sheet.append(["code", *[f"{t}::{lang}" for t in texts for lang in LANGUAGES]])
        rows = list(rows)
        for row in rows:
            sheet.append(
                sheet_row(
                    sheet,
                    [row.code, *[getattr(row, f"{t}_{lang}") for t in texts for lang in LANGUAGES]],
                )
            )
        ranges[key] = f"'{title}'!$A$2:$A${len(rows) + 1}"
    practices = workbook.create_sheet("Good practices")
    practices.append(
        ["principle", *[f"{t}::{lang}" for t in ("country", "text") for lang in LANGUAGES]]
    )
    for practice in GoodPractice.objects.select_related("principle"):
        texts = [
            getattr(practice, f"{t}_{lang}") for t in ("country", "text") for lang in LANGUAGES
        ]
        practices.append(sheet_row(practices, [practice.principle.code, *texts]))
    return ranges


def export_workbook(framework: Framework) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    content = framework_content(framework)
    workbook = Workbook()
    about = workbook.active
    about.title = "Read me"
    about.append(sheet_row(about, ["framework", content["code"]]))
    for lang in LANGUAGES:
        about.append(sheet_row(about, [f"name::{lang}", content["name"][lang]]))
    about.append([])
    about.append([_("Fill the Items sheet: one row per item. Columns:")])
    for column, text in column_help().items():
        about.append([column, text])
    about.append([])
    about.append(
        [
            _(
                "Only the first rows (framework and names) and the Items sheet are read on "
                "import; the other sheets list the codes to choose from."
            )
        ]
    )
    about.column_dimensions["A"].width = 22
    about.column_dimensions["B"].width = 100
    items = workbook.create_sheet(ITEMS_SHEET)
    sector_columns = max([SECTOR_COLUMNS, *[len(item["sectors"]) for item in content["items"]]])
    items.append(item_columns(sector_columns))
    for cell in items[1]:
        cell.font = Font(bold=True)
    for item in content["items"]:
        items.append(sheet_row(items, _item_row(item, sector_columns)))
    ranges = _reference_sheets(workbook)
    last = max(len(content["items"]) + 200, 500)
    lists = [
        ("B", f"={ranges['phase']}"),
        ("C", f"={ranges['principle']}"),
        ("E", f'"{YES},{NO}"'),
        ("F", f'"{YES},{NO}"'),
        *[(get_column_letter(7 + n), f"={ranges['sector']}") for n in range(sector_columns)],
    ]
    for column, formula in lists:
        validation = DataValidation(type="list", formula1=formula, allow_blank=True)
        validation.error = _("Choose a value from the list.")
        items.add_data_validation(validation)
        validation.add(f"{column}2:{column}{last}")
    items.freeze_panes = "B2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
