"""Hostile framework files (issue 26, security review findings 10 and 11): each is refused
with a message a person can act on, within 5 seconds and 200 MB, and creates nothing."""

import io
import json
import re
import time
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from checklists import framework_upload, framework_workbook
from checklists.models import Framework, FrameworkStatus

pytestmark = pytest.mark.django_db


def published() -> Framework:
    return Framework.objects.get(code="iom-pm", status=FrameworkStatus.PUBLISHED)


def with_items_sheet(workbook: bytes, change) -> bytes:
    """The workbook with its Items sheet's XML passed through ``change``."""
    source = zipfile.ZipFile(io.BytesIO(workbook))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "xl/worksheets/sheet2.xml":
                data = change(data)
            target.writestr(member, data)
    return out.getvalue()


def refused_within_bounds(name: str, data: bytes) -> list[str]:
    tracemalloc.start()
    started = time.monotonic()
    try:
        content, problems = framework_upload.read_upload(name, data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 5
    assert peak < 200 * 1024 * 1024
    assert content is None and problems
    return [problem.message for problem in problems]


def row_bomb(sheet: bytes) -> bytes:
    # A row far down the sheet: read naively, a million empty rows come before it.
    far = b'<row r="1048000"><c r="A1048000" t="inlineStr"><is><t>X</t></is></c></row>'
    sheet = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:V1048000"/>', sheet)
    return sheet.replace(b"</sheetData>", far + b"</sheetData>")


def test_a_row_far_down_the_items_sheet_is_refused_by_its_row():
    data = with_items_sheet(framework_workbook.export_workbook(published()), row_bomb)
    messages = refused_within_bounds("framework.xlsx", data)
    assert any("rows after row" in message for message in messages)


def test_a_workbook_that_unpacks_to_hundreds_of_mb_is_refused_before_it_is_read():
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (n, n) for n in range(2, 9))
    filler = b"<!--" + b" " * (300 * 1024 * 1024) + b"-->"
    data = with_items_sheet(
        framework_workbook.export_workbook(published()),
        lambda sheet: sheet.replace(b"</sheetData>", rows + b"</sheetData>" + filler),
    )
    assert len(data) < 5 * 1024 * 1024
    messages = refused_within_bounds("framework.xlsx", data)
    assert any("unpacks to much more than a framework holds" in m for m in messages)


def test_entities_and_document_types_in_a_workbook_are_refused():
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10)
            for n in range(1, 10)
        )
        + b"]>"
    )

    def with_entities(sheet: bytes) -> bytes:
        sheet = re.sub(rb"^<\?xml[^>]*\?>", b"", sheet)
        return laughs + sheet.replace(b"<v>", b"<v>&lol9;", 1)

    data = with_items_sheet(framework_workbook.export_workbook(published()), with_entities)
    messages = refused_within_bounds("framework.xlsx", data)
    assert any("document type or entities" in message for message in messages)


def test_xml_that_does_not_parse_is_said_to_be_unreadable():
    data = with_items_sheet(
        framework_workbook.export_workbook(published()),
        lambda sheet: sheet[: len(sheet) // 2],
    )
    messages = refused_within_bounds("framework.xlsx", data)
    assert messages == ["This is not an Excel workbook (.xlsx): it cannot be read."]


def test_deeply_nested_json_is_refused_before_it_is_parsed():
    data = b"[" * 200_000 + b"]" * 200_000
    messages = refused_within_bounds("framework.json", data)
    assert messages == ["This is not a framework file in JSON: it cannot be read."]


def test_texts_longer_than_the_app_keeps_are_named_by_row_and_column(client, framework_editor):
    content = json.loads(framework_workbook.export_json(published()))
    content["items"][2]["guidance"]["fr"] = "x" * 6000
    client.force_login(framework_editor)
    before = Framework.objects.count()
    response = client.post(
        reverse("checklists:framework-import"),
        {"file": SimpleUploadedFile("framework.json", json.dumps(content).encode())},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "This text has 6000 characters; at most 5000 are kept." in page
    assert "guidance::fr" in page
    assert Framework.objects.count() == before


@pytest.mark.parametrize("language", ["en", "fr"])
def test_hostile_files_get_messages_in_the_users_language(language):
    from django.utils import translation

    with translation.override(language):
        messages = refused_within_bounds("framework.json", b"{" * 100)
    expected = {
        "en": "This is not a framework file in JSON",
        "fr": "JSON",
    }[language]
    assert expected in messages[0]
