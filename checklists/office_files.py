"""Office documents given as evidence (.docx, .xlsx, .odt, .ods): zip archives, inspected
before anything in them is read.

A zip's sizes are claims its central directory makes, and decompressing is where a small
upload becomes gigabytes in memory (a 306 KB .odt expanded to 300 MB). So the archive's
directory is bounded first (from its end record, before zipfile parses it), then every
member's declared size, their count, their total and their compression ratio; only then
are a few small parts read, each at most MAX_PART_READ bytes. Nothing else is ever
decompressed.

What is refused beyond that: macros (VBA projects, macro-enabled content types,
OpenDocument Basic/ and Scripts/), OLE objects (embedded programs and documents in Microsoft's old
binary format, whatever their name), and templates or frames fetched from elsewhere when
the document opens (external relationships).
"""

from __future__ import annotations

import html
import re
import struct
import zipfile

from django.utils.translation import gettext

from .downloads import XLSX

OOXML_WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
OOXML_SHEET = XLSX
ODF_TEXT = "application/vnd.oasis.opendocument.text"
ODF_SHEET = "application/vnd.oasis.opendocument.spreadsheet"
# The part an OOXML document must hold to be what its extension says.
MAIN_PARTS = {OOXML_WORD: "word/document.xml", OOXML_SHEET: "xl/workbook.xml"}

# Bounds, far above what a real office document of 10 MB holds.
MAX_MEMBERS = 2000
MAX_DIRECTORY_BYTES = 1024 * 1024  # the central directory itself, parsed by zipfile
MAX_MEMBER_BYTES = 50 * 1024 * 1024
MAX_TOTAL_BYTES = 100 * 1024 * 1024
# Office XML compresses ten to thirty times; a bomb a thousand times. Tiny members may
# compress far better than this without harm, so the ratio counts from RATIO_FROM bytes.
MAX_RATIO = 100
RATIO_FROM = 64 * 1024
MAX_PART_READ = 1024 * 1024  # a relationships part or a signature: read no more than this

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Content types ([Content_Types].xml) of macro-enabled documents and of what they run.
DECLARED_ACTIVE_TYPES = (b"macroenabled", b"vbaproject", b"oleobject", b"activex")
END_RECORD = b"PK\x05\x06"
# Relationship types Word or Excel follow to fetch something when the file opens.
FETCHED_RELATIONSHIPS = ("attachedtemplate", "oleobject", "frame", "subdocument")
RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>", re.IGNORECASE)


class Refused(Exception):
    """Why the file is refused, in the user's language; ``mislabelled`` when its content
    is not the kind its extension says (the caller words that one, naming the extension)."""

    def __init__(self, message: str = "", *, mislabelled: bool = False):
        super().__init__(message)
        self.mislabelled = mislabelled


def _not_what_it_says() -> Refused:
    return Refused(mislabelled=True)


def _too_large_inside() -> Refused:
    return Refused(
        gettext(
            "This document expands to far more than its size once opened, or holds too many "
            "parts, so it is not accepted. Save it again from your office program, or as PDF."
        )
    )


def _directory_bounds(upload) -> None:
    """Entry count and directory size from the zip's end record, before zipfile reads the
    directory: a 10 MB file could otherwise declare a million members."""
    upload.seek(0, 2)
    size = upload.tell()
    tail_size = min(size, 22 + 65535)
    upload.seek(size - tail_size)
    tail = upload.read(tail_size)
    at = tail.rfind(END_RECORD)
    if at < 0 or len(tail) - at < 22:
        raise _not_what_it_says()
    entries, directory_size = struct.unpack("<HI", tail[at + 10 : at + 16])
    # 0xFFFF or 0xFFFFFFFF mean "see the zip64 record": no office file of this size needs it.
    if entries > MAX_MEMBERS or directory_size > MAX_DIRECTORY_BYTES:
        raise _too_large_inside()


def _member_bounds(members: list[zipfile.ZipInfo]) -> None:
    if len(members) > MAX_MEMBERS:
        raise _too_large_inside()
    total = 0
    for member in members:
        if member.flag_bits & 0x1:  # encrypted: cannot be inspected
            raise Refused(gettext("This document is protected by a password. Send it without one."))
        total += member.file_size
        ratio_too_high = member.file_size > RATIO_FROM and member.file_size > MAX_RATIO * max(
            member.compress_size, 1
        )
        if member.file_size > MAX_MEMBER_BYTES or total > MAX_TOTAL_BYTES or ratio_too_high:
            raise _too_large_inside()


def _read_part(archive: zipfile.ZipFile, member: zipfile.ZipInfo, limit: int) -> bytes:
    with archive.open(member) as part:
        return part.read(limit)


def _macro_or_object(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> bool:
    """Macros and objects by name (VBA projects, embedded .bin objects, ActiveX controls,
    OpenDocument Basic/ and Scripts/, macro-enabled packages inside), by declared type (a
    renamed part is still declared to Word), and by content (an OLE compound file under
    any name). Printer settings (.bin, not OLE) are a plain part of many spreadsheets."""
    for member in members:
        name = member.filename.lower()
        if (
            "vbaproject" in name
            or "vbadata" in name
            or "/activex/" in f"/{name}"
            or ("/embeddings/" in f"/{name}" and name.endswith(".bin"))
            or name.startswith(("basic/", "scripts/"))
            or name.endswith((".docm", ".xlsm", ".dotm", ".xltm", ".pptm"))
        ):
            return True
        if name == "[content_types].xml":
            declared = _read_part(archive, member, MAX_PART_READ).lower()
            if any(kind in declared for kind in DECLARED_ACTIVE_TYPES):
                return True
        if (
            member.file_size >= len(OLE_SIGNATURE)
            and not member.is_dir()
            and _read_part(archive, member, len(OLE_SIGNATURE)) == OLE_SIGNATURE
        ):
            return True
    return False


def _fetches_from_elsewhere(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> bool:
    """Whether a relationships part points at a template, frame or object outside the
    file (TargetMode="External"). Read as text with a pattern, never parsed as XML, and
    with character references decoded, as Word decodes them."""
    for member in members:
        if not member.filename.lower().endswith(".rels"):
            continue
        content = _read_part(archive, member, MAX_PART_READ)
        for element in RELATIONSHIP.findall(content):
            text = html.unescape(element.decode("utf-8", "replace")).lower()
            external = re.search(r"targetmode\s*=\s*[\"']\s*external", text)
            if external and any(kind in text for kind in FETCHED_RELATIONSHIPS):
                return True
    return False


def _kind_problem(archive: zipfile.ZipFile, names: set[str], content_type: str) -> bool:
    if content_type in MAIN_PARTS:
        return MAIN_PARTS[content_type] not in names
    if "mimetype" not in names:
        return True
    # Read no more than the expected type and one byte: never the whole member.
    expected = content_type.encode()
    return _read_part(archive, archive.getinfo("mimetype"), len(expected) + 1) != expected


def inspect_office_document(upload, content_type: str) -> None:
    """Raise Refused when this office document cannot be kept."""
    try:
        _directory_bounds(upload)
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
            _member_bounds(members)
            if _kind_problem(archive, {m.filename for m in members}, content_type):
                raise _not_what_it_says()
            if _macro_or_object(archive, members):
                raise Refused(
                    gettext(
                        "This document holds macros or embedded objects, which can run "
                        "programs when it is opened. Save it again without them (for "
                        "example as .docx or .xlsx, not a macro-enabled file), or as PDF."
                    )
                )
            if _fetches_from_elsewhere(archive, members):
                raise Refused(
                    gettext(
                        "This document fetches a template or content from another address "
                        "when it is opened. Save it again without the attached template, or "
                        "as PDF."
                    )
                )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError):
        raise _not_what_it_says() from None
    finally:
        upload.seek(0)
