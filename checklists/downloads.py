"""What every file the app hands out shares: its name in the Content-Disposition header,
and spreadsheet cells that a spreadsheet program shows as text and never runs.

A text that starts with = + - @, a tab or a carriage return is a formula to Excel,
LibreOffice and Google Sheets (OWASP's "CSV injection"): an item's question or a comment
could then run in a manager's spreadsheet. In a workbook the cell is typed as text, so the
value stays exactly what was typed; in a CSV file, which has no types, it is prefixed
with an apostrophe, which spreadsheet programs read as "text follows".
"""

import datetime

from django.http import HttpResponse
from django.utils.http import content_disposition_header

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def attachment(response: HttpResponse, filename: str) -> HttpResponse:
    """Mark ``response`` as a download named ``filename`` (quoted and encoded by Django,
    so no name, whatever a framework code or a project title holds, can break the header)."""
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def file_download(content: bytes, *, filename: str, content_type: str) -> HttpResponse:
    return attachment(HttpResponse(content, content_type=content_type), filename)


def csv_value(value) -> str:
    """A value as a CSV field: dates in ISO form, nothing for None, formulas disarmed."""
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def sheet_row(sheet, values) -> list:
    """``values`` for ``sheet.append`` on an openpyxl sheet (write-only or not): a text that
    starts like a formula becomes a cell typed as text (openpyxl would write it as a formula);
    every other value goes as it is (a text cell is never run by a spreadsheet program)."""
    from openpyxl.cell import WriteOnlyCell

    return [_text_cell(sheet, value, WriteOnlyCell) for value in values]


def _text_cell(sheet, value, cell_class):
    if not (isinstance(value, str) and value.startswith(FORMULA_STARTS)):
        return value
    cell = cell_class(sheet, value=value)
    cell.data_type = "s"
    return cell
