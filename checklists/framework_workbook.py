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
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from projects.models import Sector

from .downloads import sheet_row
from .models import Framework, GoodPractice, Phase, Principle, Topic

LANGUAGES = [code for code, _name in settings.LANGUAGES]
TEXTS = ("question", "guidance", "source")
# Sector columns of the Items sheet: at least this many, more when an item of the
# framework has more sectors (an export always holds every sector of every item).
SECTOR_COLUMNS = 3
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# Fewer common items than this in a phase and principle leaves a checklist without substance.
MIN_ITEMS_PER_CELL = 4
# More would make checklists no one can fill (v2 has 154); it also bounds what an import writes.
MAX_ITEMS = 1000
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


def text_names() -> dict[str, str]:
    return {"question": _("question"), "guidance": _("guidance"), "source": _("source")}


def in_language(lang: str) -> str:
    """ "in French", as a phrase, in the active language."""
    return {
        "en": _("in English"),
        "fr": _("in French"),
        "es": _("in Spanish"),
        "ar": _("in Arabic"),
    }.get(lang, lang)


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


# --- Import -------------------------------------------------------------------------------


@dataclass
class Problem:
    """One thing wrong in an uploaded file: where (row and column, when known) and what."""

    row: int | None
    column: str
    message: str


def read_upload(name: str, data: bytes) -> tuple[dict | None, list[Problem]]:
    """The framework content of an uploaded workbook or JSON file, and its problems."""
    if len(data) > MAX_UPLOAD_BYTES:
        return None, [
            Problem(
                None,
                "",
                _("The file is larger than 5 MB. Remove images or other sheets and try again."),
            )
        ]
    if name.lower().endswith(".json"):
        content, problems = _read_json(data)
    else:
        content, problems = _read_workbook(data)
    if content is not None:
        problems += content_problems(content)
    return (None if problems else content), problems


def _read_json(data: bytes) -> tuple[dict | None, list[Problem]]:
    unreadable = [Problem(None, "", _("This is not a framework file in JSON: it cannot be read."))]
    try:
        content = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None, unreadable
    if not (
        isinstance(content, dict)
        and isinstance(content.get("code"), str)
        and isinstance(content.get("name", {}), dict)
        and isinstance(content.get("items"), list)
        and all(isinstance(item, dict) for item in content["items"])
    ):
        return None, unreadable
    content["name"] = {lang: _plain_text(content.get("name", {}).get(lang)) for lang in LANGUAGES}
    problems: list[Problem] = []
    content["items"] = [
        _item_from_json(item, number, problems)
        for number, item in enumerate(content["items"], start=1)
    ]
    return content, problems


def _plain_text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _item_from_json(item: dict, number: int, problems: list[Problem]) -> dict:
    """An item of a JSON file in the shape the checks expect; a value of the wrong type is a
    problem on that item (its place in the file), never an error page."""
    order = item.get("order", 0)
    if not isinstance(order, int) or isinstance(order, bool) or order < 0:
        problems.append(Problem(number, "order", _("Write a whole number, 0 or more.")))
        order = 0
    flags = {}
    for name, default in (("critical", False), ("not_applicable", True)):
        flags[name] = item.get(name, default)
        if not isinstance(flags[name], bool):
            problems.append(Problem(number, name, _("Write yes or no.")))
            flags[name] = default
    codes = {}
    for name in ("sectors", "topics"):
        value = item.get(name, [])
        codes[name] = [str(code) for code in value] if isinstance(value, list) else [str(value)]
    texts = {}
    for text in TEXTS:
        value = item.get(text, {})
        texts[text] = {
            lang: _plain_text(value.get(lang) if isinstance(value, dict) else None)
            for lang in LANGUAGES
        }
    return {
        "row": number,  # problems name the item by its place in the file
        "code": _plain_text(item.get("code")),
        "phase": _plain_text(item.get("phase")),
        "principle": _plain_text(item.get("principle")),
        "order": order,
        **flags,
        **codes,
        **texts,
    }


def _cell_text(value) -> str:
    return "" if value is None else str(value).strip()


def _yes_no(value, row: int, column: str, problems: list[Problem]) -> bool:
    text = _cell_text(value).lower()
    if text not in (YES, NO):
        problems.append(Problem(row, column, _("Write yes or no.")))
    return text == YES


def _read_workbook(data: bytes) -> tuple[dict | None, list[Problem]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        return None, [
            Problem(None, "", _("This is not an Excel workbook (.xlsx): it cannot be read."))
        ]
    if ITEMS_SHEET not in workbook.sheetnames or "Read me" not in workbook.sheetnames:
        return None, [
            Problem(
                None,
                "",
                _("The workbook has no “Read me” or “Items” sheet. Start from an exported one."),
            )
        ]
    problems: list[Problem] = []
    content = _framework_header(workbook["Read me"], problems)
    rows = workbook[ITEMS_SHEET].iter_rows()
    header = [_cell_text(cell.value) for cell in next(rows, [])]
    missing = [column for column in ITEM_COLUMNS if column not in header]
    if missing:
        problems.append(
            Problem(1, ", ".join(missing), _("These columns are missing from the Items sheet."))
        )
        return None, problems
    for cells in rows:
        if all(cell.value in (None, "") for cell in cells):
            continue
        content["items"].append(_item_from_row(cells, header, problems))
    return content, problems


def _framework_header(sheet, problems: list[Problem]) -> dict:
    values = {}
    for row in sheet.iter_rows(max_row=1 + len(LANGUAGES), max_col=2):
        if len(row) == 2:
            values[_cell_text(row[0].value)] = _cell_text(row[1].value)
    if not values.get("framework"):
        problems.append(Problem(1, "framework", _("The Read me sheet does not name a framework.")))
    return {
        "code": values.get("framework", ""),
        "name": {lang: values.get(f"name::{lang}", "") for lang in LANGUAGES},
        "items": [],
    }


def _item_from_row(cells, header: list[str], problems: list[Problem]) -> dict:
    row = cells[0].row
    values = {}
    for column, cell in zip(header, cells, strict=False):
        if not is_item_column(column):
            continue
        if cell.data_type == "f":
            problems.append(
                Problem(row, column, _("This cell holds a formula; type the text itself."))
            )
            values[column] = ""
        else:
            values[column] = cell.value
    order = values.get("order")
    if not isinstance(order, int) or isinstance(order, bool) or order < 0:
        problems.append(Problem(row, "order", _("Write a whole number, 0 or more.")))
        order = 0
    return {
        "row": row,
        "code": _cell_text(values.get("code")),
        "phase": _cell_text(values.get("phase")),
        "principle": _cell_text(values.get("principle")),
        "order": order,
        "critical": _yes_no(values.get("critical"), row, "critical", problems),
        "not_applicable": _yes_no(values.get("not_applicable"), row, "not_applicable", problems),
        "sectors": [
            code
            for column in header
            if column.startswith("sector_") and (code := _cell_text(values.get(column)))
        ],
        "topics": [code for code in (_cell_text(values.get("topics"))).split(",") if code.strip()],
        **{
            text: {lang: _cell_text(values.get(f"{text}::{lang}")) for lang in LANGUAGES}
            for text in TEXTS
        },
    }


def content_problems(content: dict) -> list[Problem]:
    """What is wrong in the framework's content, whatever the file it came from."""
    problems: list[Problem] = []
    if len(content["items"]) > MAX_ITEMS:
        return [
            Problem(
                None,
                "",
                _("The file has %(count)s items; a framework may have at most %(maximum)s.")
                % {"count": len(content["items"]), "maximum": MAX_ITEMS},
            )
        ]
    phases = set(Phase.objects.values_list("code", flat=True))
    principles = set(Principle.objects.values_list("code", flat=True))
    sectors = set(Sector.objects.values_list("code", flat=True))
    topics = set(Topic.objects.values_list("code", flat=True))
    names = text_names()
    seen: dict[str, int] = {}
    for item in content["items"]:
        row = item.pop("row", None)
        item["topics"] = [code.strip() for code in item["topics"]]
        code = item.get("code", "")
        if not code or len(code) > 20:
            problems.append(Problem(row, "code", _("Give a code of 1 to 20 characters.")))
        elif code in seen:
            problems.append(
                Problem(
                    row,
                    "code",
                    _("The code %(code)s is already used on row %(row)s.")
                    % {"code": code, "row": seen[code]},
                )
            )
        else:
            seen[code] = row
        for column, known, value in (
            ("phase", phases, item.get("phase")),
            ("principle", principles, item.get("principle")),
        ):
            if value not in known:
                problems.append(
                    Problem(
                        row,
                        column,
                        _("“%(value)s” is not a %(column)s code. Choose one from the list.")
                        % {
                            "value": value or "",
                            "column": {"phase": _("phase"), "principle": _("principle")}[column],
                        },
                    )
                )
        for value in item["sectors"]:
            if value not in sectors:
                problems.append(
                    Problem(
                        row,
                        "sector",
                        _("There is no sector “%(value)s”. Use a code from the Sectors sheet.")
                        % {"value": value},
                    )
                )
        for value in item["topics"]:
            if value not in topics:
                problems.append(
                    Problem(
                        row,
                        "topics",
                        _("There is no topic “%(value)s”. Use a code from the Topics sheet.")
                        % {"value": value},
                    )
                )
        for text in ("question", "guidance"):
            for lang in LANGUAGES:
                if not item[text].get(lang, "").strip():
                    problems.append(
                        Problem(
                            row,
                            f"{text}::{lang}",
                            _("The %(text)s %(in_language)s is missing.")
                            % {"text": names[text], "in_language": in_language(lang)},
                        )
                    )
    problems += _thin_cells(content["items"], phases, principles)
    return problems


def _thin_cells(items, phases, principles) -> list[Problem]:
    """A phase and principle with too few items for every project (items with no sector)."""
    counts = {(phase, principle): 0 for phase in phases for principle in principles}
    for item in items:
        key = (item.get("phase"), item.get("principle"))
        if key in counts and not item["sectors"]:
            counts[key] += 1
    return [
        Problem(
            None,
            "phase, principle",
            _(
                "%(phase)s × %(principle)s has %(count)s items for every project; it needs at "
                "least %(minimum)s."
            )
            % {"phase": phase, "principle": principle, "count": n, "minimum": MIN_ITEMS_PER_CELL},
        )
        for (phase, principle), n in sorted(counts.items())
        if n < MIN_ITEMS_PER_CELL
    ]
