"""What an evidence file may hold, checked before it is kept: the upload form and the
workflow both call ``check_content``, then the workflow keeps ``cleaned(upload)``.

- Office documents: checklists/office_files.py (bounded zip inspection, no macros, no OLE
  objects, no external templates).
- PDF: refused when it holds JavaScript, a launch action or embedded files. Those are
  names in the file's dictionaries, found by a byte scan of the file (names may hide
  letters as #xx) and of its object streams, which are decompressed only up to a bound.
- JPEG and PNG: opened by Pillow (size read from the header first, so a small file that
  decodes to gigapixels is refused unopened) and saved again from the pixels alone:
  EXIF (GPS position, camera, owner, time), XMP, comments and colour profiles all go;
  only the orientation (which way is up) is written again. A photo of a safe house must
  not say where it is.
- Then the antivirus, when one is configured (checklists/antivirus.py).
"""

from __future__ import annotations

import io
import re
import warnings
import zlib

from django.core.files.base import File
from django.utils.translation import gettext
from PIL import ExifTags, Image

from . import antivirus
from .office_files import (
    ODF_SHEET,
    ODF_TEXT,
    OOXML_SHEET,
    OOXML_WORD,
    Refused,
    inspect_office_document,
)

OFFICE_TYPES = {OOXML_WORD, OOXML_SHEET, ODF_TEXT, ODF_SHEET}
IMAGE_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}
SAVE_OPTIONS = {"image/jpeg": {"quality": 90}, "image/png": {}}

# A photo is decoded in full to be saved again: 16 megapixels is about 48 MB (RGB) to
# 64 MB (with transparency) in memory, so that a hostile upload stays under 100 MB; a
# phone's photo is 12.
MAX_IMAGE_PIXELS = 16_000_000
# PDF object streams are decompressed to look inside, never beyond these.
MAX_OBJECT_STREAM_BYTES = 5 * 1024 * 1024
MAX_OBJECT_STREAMS_BYTES = 20 * 1024 * 1024

PDF_NAME = re.compile(rb"/([^\s/<>\[\]()%{}]+)")
PDF_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
# What makes a PDF act rather than show: scripts, launching programs, files inside it.
PDF_ACTIVE_NAMES = {b"javascript", b"js", b"launch", b"embeddedfile", b"embeddedfiles"}
STREAM_START = re.compile(rb"stream\r?\n")


def _names(content: bytes):
    """The PDF names in ``content``, decoded (#xx escapes hide letters) and lower-cased,
    each with where it ends."""
    for match in PDF_NAME.finditer(content):
        name = PDF_ESCAPE.sub(lambda escape: bytes([int(escape.group(1), 16)]), match.group(1))
        yield name.lower(), match.end()


def _active_name_in(content: bytes) -> bool:
    return any(name in PDF_ACTIVE_NAMES for name, _end in _names(content))


def _object_streams(content: bytes):
    """The decompressed object streams of a PDF (found by their type, /ObjStm, however
    written), each and all together bounded."""
    budget = MAX_OBJECT_STREAMS_BYTES
    for marker in (end for name, end in _names(content) if name == b"objstm"):
        start = STREAM_START.search(content, marker, marker + 4096)
        end = content.find(b"endstream", start.end()) if start else -1
        if end < 0:
            raise Refused(mislabelled=True)
        decompressor = zlib.decompressobj()
        try:
            data = decompressor.decompress(
                content[start.end() : end], min(MAX_OBJECT_STREAM_BYTES, budget) + 1
            )
        except zlib.error:
            raise _pdf_unchecked() from None
        budget -= len(data)
        if decompressor.unconsumed_tail or budget < 0:
            raise _pdf_unchecked()
        yield data


def _pdf_unchecked() -> Refused:
    return Refused(
        gettext(
            "This PDF could not be checked: parts of it are packed in an unusual way or "
            "expand too much. Print it to a new PDF and send that one."
        )
    )


def inspect_pdf(upload) -> None:
    """Raise Refused when the PDF holds JavaScript, a launch action or embedded files."""
    upload.seek(0)
    content = upload.read()
    upload.seek(0)
    if _active_name_in(content) or any(
        _active_name_in(stream) for stream in _object_streams(content)
    ):
        raise Refused(
            gettext(
                "This PDF holds scripts, actions that start programs, or files inside it. "
                "Print it to a new PDF (which keeps the pages only) and send that one."
            )
        )


def _open_image(upload, content_type: str) -> Image.Image:
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # A copy of the bytes (10 MB at most): Pillow closes the file it reads.
            image = Image.open(io.BytesIO(upload.read()))
            if image.format != IMAGE_FORMATS[content_type]:
                raise Refused(mislabelled=True)
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise _image_too_large()
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _image_too_large() from None
    except (OSError, SyntaxError, ValueError):
        raise Refused(mislabelled=True) from None
    return image


def _image_too_large() -> Refused:
    return Refused(
        gettext(
            "This photo has more than %(megapixels)s million pixels. Send a smaller copy "
            "(most phones and e-mail programs offer one)."
        )
        % {"megapixels": MAX_IMAGE_PIXELS // 1_000_000}
    )


def inspect_image(upload, content_type: str) -> None:
    """Raise Refused when the photo cannot be opened as what its extension says."""
    _open_image(upload, content_type).close()
    upload.seek(0)


def check_content(upload, content_type: str) -> None:
    """Raise Refused when the file may not be kept (its kind and size were checked)."""
    if content_type in OFFICE_TYPES:
        inspect_office_document(upload, content_type)
    elif content_type == "application/pdf":
        inspect_pdf(upload)
    elif content_type in IMAGE_FORMATS:
        inspect_image(upload, content_type)
    found = antivirus.scan(upload)
    if found:
        raise Refused(
            gettext("The antivirus found a threat in this file (%(name)s). It is not kept.")
            % {"name": found}
        )


def _orientation_only(image: Image.Image) -> bytes:
    """EXIF holding the photo's orientation alone (which way is up), or nothing: turning
    the pixels instead would hold a second decoded copy of the photo in memory."""
    orientation = image.getexif().get(ExifTags.Base.Orientation)
    if orientation not in range(2, 9):
        return b""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    return exif.tobytes()


def cleaned(upload, content_type: str):
    """What is kept of an accepted upload: photos saved again from their pixels, with no
    metadata but their orientation; any other file as it came. One decoded copy of the
    photo in memory, written once."""
    if content_type not in IMAGE_FORMATS:
        upload.seek(0)
        return upload
    image = _open_image(upload, content_type)
    exif = _orientation_only(image)
    transparency = image.info.get("transparency")
    image.info = {} if transparency is None else {"transparency": transparency}
    if content_type == "image/jpeg" and image.mode not in ("RGB", "L", "CMYK"):
        image = image.convert("RGB")
    output = io.BytesIO()
    image.save(output, format=IMAGE_FORMATS[content_type], exif=exif, **SAVE_OPTIONS[content_type])
    image.close()
    upload.seek(0)
    output.seek(0)
    return File(output, name=upload.name)
