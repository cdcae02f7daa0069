"""Reading an uploaded framework file (a workbook or a JSON file) with bounds.

Reading never writes anything: it returns the framework's content and every problem found,
by row and column, in the user's language (framework_rules.py says what a valid framework
is). A draft is created from it only when there is no problem
(``workflow.import_framework_draft``).

A hostile file is refused before it costs anything: a workbook is a zip archive whose
members are checked (count, sizes, compression ratio) before any is read, its XML is
parsed without document types or entities (defusedxml, which openpyxl uses when installed),
and rows and columns are read up to the framework's limits only; a JSON file's nesting is
measured before it is parsed.
"""

from __future__ import annotations

import io
import json
import zipfile

from defusedxml import DefusedXmlException
from django.utils.translation import gettext as _

from .framework_rules import LANGUAGES, MAX_ITEMS, TEXTS, Problem, framework_problems
from .framework_workbook import ITEM_COLUMNS, ITEMS_SHEET, NO, YES, is_item_column

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# A workbook of 1,000 items in four languages is a few MB of XML: these bounds leave room
# for that and refuse what only a hostile file holds.
MAX_MEMBERS = 100
MAX_UNPACKED_BYTES = 30 * 1024 * 1024
MAX_RATIO = 100  # an XML part compresses about 5 to 20 times; a bomb, thousands
MAX_ROWS = MAX_ITEMS + 500  # rows read from the Items sheet (empty rows included)
MAX_COLUMNS = 80
MAX_JSON_DEPTH = 8  # a framework file nests 4 deep: file, items, item, texts


def unreadable_workbook() -> list[Problem]:
    return [Problem(None, "", _("This is not an Excel workbook (.xlsx): it cannot be read."))]


def unreadable_json() -> list[Problem]:
    return [Problem(None, "", _("This is not a framework file in JSON: it cannot be read."))]


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
        problems += framework_problems(content["items"])
        for item in content["items"]:
            item.pop("row", None)
    return (None if problems else content), problems


def _read_json(data: bytes) -> tuple[dict | None, list[Problem]]:
    unreadable = unreadable_json()
    if json_depth(data) > MAX_JSON_DEPTH:
        return None, unreadable
    try:
        content = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
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
        codes[name] = [
            str(code).strip() for code in (value if isinstance(value, list) else [value])
        ]
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

    if problem := archive_problem(data):
        return None, [problem]
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        if ITEMS_SHEET not in workbook.sheetnames or "Read me" not in workbook.sheetnames:
            message = _(
                "The workbook has no “Read me” or “Items” sheet. Start from an exported one."
            )
            return None, [Problem(None, "", message)]
        problems: list[Problem] = []
        content = _framework_header(workbook["Read me"], problems)
        if not _read_items(workbook[ITEMS_SHEET], content, problems):
            return None, problems
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, SyntaxError,
            DefusedXmlException) as error:  # fmt: skip
        # openpyxl wraps what its XML parser refused in a ValueError; SyntaxError is XML
        # that does not parse.
        refused = (error, error.__cause__, error.__context__)
        if any(isinstance(cause, DefusedXmlException) for cause in refused):
            return None, unsafe_xml()
        return None, unreadable_workbook()
    return content, problems


def _read_items(sheet, content: dict, problems: list[Problem]) -> bool:
    """The Items sheet's rows, read up to MAX_ROWS rows and MAX_COLUMNS columns; False when
    the sheet cannot be read as items."""
    # Rows are counted as they come (a missing row comes as an empty one): a row far down
    # the sheet stops the reading at MAX_ROWS, not after a million empty rows.
    rows = sheet.iter_rows(max_col=MAX_COLUMNS)
    header = [_cell_text(cell.value) for cell in next(rows, [])]
    missing = [column for column in ITEM_COLUMNS if column not in header]
    if missing:
        message = _("These columns are missing from the Items sheet.")
        problems.append(Problem(1, ", ".join(missing), message))
        return False
    for number, cells in enumerate(rows, start=2):
        if number > MAX_ROWS:
            message = _("The Items sheet has rows after row %(maximum)s; remove them.")
            problems.append(Problem(number, "", message % {"maximum": MAX_ROWS}))
            return False
        if all(cell.value in (None, "") for cell in cells):
            continue
        content["items"].append(_item_from_row(cells, header, problems))
    return True


def unsafe_xml() -> list[Problem]:
    return [
        Problem(
            None,
            "",
            _(
                "This workbook holds XML that the app does not read (a document type or "
                "entities). Save it again from Excel or LibreOffice, or start from an exported one."
            ),
        )
    ]


def archive_problem(data: bytes) -> Problem | None:
    """Why this workbook (a zip archive) is refused before anything in it is read, if so:
    too many members, or members that unpack to too much, or compress too well."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return unreadable_workbook()[0]
    unpacked = sum(member.file_size for member in members)
    bomb = any(
        member.file_size > MAX_RATIO * max(member.compress_size, 1) and member.file_size > 1_000_000
        for member in members
    )
    if len(members) > MAX_MEMBERS or unpacked > MAX_UNPACKED_BYTES or bomb:
        message = _(
            "This workbook unpacks to much more than a framework holds (%(size)s MB); it "
            "cannot be read. Start from an exported workbook."
        )
        return Problem(None, "", message % {"size": unpacked // (1024 * 1024)})
    return None


def json_depth(data: bytes) -> int:
    """How deep the file's brackets nest (what strings hold left out), without parsing:
    one pass over the bytes, stopped as soon as it is too deep."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in data:
        if in_string:
            escaped, in_string = (False, True) if escaped else (byte == 0x5C, byte != 0x22)
        elif byte == 0x22:  # "
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return depth
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return deepest


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
        "topics": [
            code.strip() for code in _cell_text(values.get("topics")).split(",") if code.strip()
        ],
        **{
            text: {lang: _cell_text(values.get(f"{text}::{lang}")) for lang in LANGUAGES}
            for text in TEXTS
        },
    }
