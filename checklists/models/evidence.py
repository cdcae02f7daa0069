"""Evidence files on answers: consultation minutes, a risk analysis, photos of a site.

Kept through Django's storage API (a local folder by default, an S3-compatible bucket in
production), under a name nobody can guess, and served only through the app to those who
may see the checklist. Never deleted: a replaced or removed file stays, withdrawn, with the
checklist's history.
"""

import uuid

from django.conf import settings
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..evidence_files import check_content
from ..office_files import ODF_SHEET, ODF_TEXT, OOXML_SHEET, OOXML_WORD, Refused
from .checklist import Answer

# The kinds of file accepted, by extension, with the content type they are served as. The
# content is checked too (see evidence_problem): a renamed program is not a PDF.
EVIDENCE_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".docx": OOXML_WORD,
    ".xlsx": OOXML_SHEET,
    ".odt": ODF_TEXT,
    ".ods": ODF_SHEET,
    ".txt": "text/plain",
}
# What each kind of file starts with.
SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}
MAX_FILES_PER_ANSWER = 10


def extension_of(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot >= 0 else ""


def _text_problem(upload) -> bool:
    content = upload.read()
    upload.seek(0)
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return "\x00" in text


def evidence_problem(upload) -> str | None:
    """Why this uploaded file cannot be kept as evidence, in words for the user; None if it
    can. The rule the upload form and the workflow both apply."""
    content_type = EVIDENCE_TYPES.get(extension_of(upload.name))
    if content_type is None:
        return gettext(
            "This kind of file is not accepted. Send a PDF, a photo (JPEG or PNG), a Word or "
            "Excel file, an OpenDocument text or spreadsheet, or a plain text file."
        )
    if upload.size > settings.EVIDENCE_MAX_BYTES:
        return gettext("This file is %(size)s; the largest accepted is %(limit)s.") % {
            "size": filesizeformat(upload.size),
            "limit": filesizeformat(settings.EVIDENCE_MAX_BYTES),
        }
    if upload.size == 0:
        return gettext("This file is empty.")
    upload.seek(0)
    start = upload.read(8)
    upload.seek(0)
    if content_type in SIGNATURES:
        mislabelled = not start.startswith(SIGNATURES[content_type])
    elif content_type == "text/plain":
        mislabelled = _text_problem(upload)
    else:
        mislabelled = not start.startswith(b"PK\x03\x04")
    try:
        # The form checks, then the workflow: inspect and scan the same upload once.
        if not mislabelled and not getattr(upload, "pmapp_content_checked", False):
            check_content(upload, content_type)
            upload.pmapp_content_checked = True
    except Refused as refusal:
        if not refusal.mislabelled:
            return str(refusal)
        mislabelled = True
    if mislabelled:
        return gettext(
            "This file's content is not what its name says (%(extension)s). Save it again in "
            "that format, or give it the right extension."
        ) % {"extension": extension_of(upload.name)}
    return None


def evidence_path(evidence, filename: str) -> str:
    """evidence/<checklist>/<random>/<name>: grouped by checklist, never guessable."""
    return f"evidence/{evidence.answer.checklist_id}/{uuid.uuid4().hex}/{filename}"


def display_name(name: str) -> str:
    """A file name safe to keep and show: no folders, no odd characters, not too long."""
    base = get_valid_filename(name.replace("\\", "/").rsplit("/", 1)[-1]) or "file"
    extension = extension_of(base)
    return base[: 120 - len(extension)].rstrip(".") + extension if len(base) > 120 else base


class EvidenceQuerySet(models.QuerySet):
    def current(self):
        """The files an answer holds now: not replaced, not removed."""
        return self.filter(withdrawn_at__isnull=True)


class Evidence(models.Model):
    """One file given as evidence for one answer; a new version is a new row."""

    answer = models.ForeignKey(
        Answer, on_delete=models.PROTECT, related_name="evidence_files", verbose_name=_("answer")
    )
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        "auth.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    # Set by the uploader; "yes" unless they say otherwise. Such a file opens only for the
    # project's office staff and focal points (projects/permissions.py).
    contains_personal_data = models.BooleanField(
        _("contains personal data"),
        default=True,
        help_text=_(
            "Names, faces, lists of people, or anything else that tells who someone is. Such "
            "files open only for the project's office staff and focal points."
        ),
    )
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        related_name="replaced_by",
        verbose_name=_("earlier version"),
        null=True,
        blank=True,
    )
    # Set when the file was replaced by a new version or removed: it stays, for the record.
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        "auth.User",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("withdrawn by"),
        null=True,
        blank=True,
    )

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self):
        return self.name
