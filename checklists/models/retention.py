"""The retention schedule's records: legal holds, which keep a project's records past it,
and deletion receipts: what it deleted, when, under which rule, with the SHA-256 of what
went (so a copy found later can be recognised), never the content."""

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


class LegalHoldQuerySet(models.QuerySet):
    def active(self):
        return self.filter(lifted_at__isnull=True)


class LegalHold(models.Model):
    """A project's records kept past the retention schedule (an investigation, a claim,
    an audit), set by an administrator with the reason; nothing of the project is deleted
    while a hold is on. Lifted, never deleted: the reason stays on record."""

    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        related_name="legal_holds",
        verbose_name=_("project"),
    )
    reason = models.TextField(
        _("reason"),
        max_length=2000,
        help_text=_("Why the project's records must be kept: the case, claim or audit."),
    )
    set_by = models.ForeignKey(
        "auth.User",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("set by"),
        null=True,
        blank=True,
    )
    set_at = models.DateTimeField(_("set"), auto_now_add=True)
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        "auth.User",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("lifted by"),
        null=True,
        blank=True,
    )

    objects = LegalHoldQuerySet.as_manager()

    class Meta:
        ordering = ["-set_at", "-pk"]
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")

    def __str__(self):
        return f"{self.project.code} · {self.set_at:%Y-%m-%d}"
