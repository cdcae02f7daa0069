"""Deletion receipts: what the retention schedule deleted, when, under which rule, with the
SHA-256 of what went (so a copy found later can be recognised), never the content."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DeletedKind(models.TextChoices):
    EVIDENCE_FILE = "evidence_file", _("Evidence file")
    COMMENT = "comment", _("Free-text comment")
    ACCESS_LOG = "access_log", _("Access log entries")


class DeletionReceipt(models.Model):
    """One thing the retention schedule deleted. Never edited, never deleted."""

    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        related_name="deletion_receipts",
        verbose_name=_("project"),
        null=True,
        blank=True,
    )
    kind = models.CharField(_("what"), max_length=20, choices=DeletedKind.choices)
    rule = models.CharField(_("rule"), max_length=200)
    # Ids, field, size, type, dates: what identifies it without saying what it said.
    details = models.JSONField(_("details"), default=dict, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    deleted_at = models.DateTimeField(_("deleted"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-deleted_at", "-pk"]
        verbose_name = _("deletion receipt")
        verbose_name_plural = _("deletion receipts")

    def __str__(self):
        return f"{self.deleted_at:%Y-%m-%d} {self.kind} {self.sha256[:12]}"
