"""Long reports prepared in the background."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Being prepared")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")


class ReportKind(models.TextChoices):
    PORTFOLIO_PDF = "portfolio_pdf", _("Portfolio report (PDF)")
    PORTFOLIO_XLSX = "portfolio_xlsx", _("Portfolio spreadsheet (XLSX)")


class ReportFile(models.Model):
    """A long report made in the background by the task worker, kept for its requester.

    Kept in the default file storage (shared storage in a multi-server deployment), never
    in a web process's memory, so any app server can serve it.
    """

    kind = models.CharField(_("report"), max_length=20, choices=ReportKind.choices)
    requested_by = models.ForeignKey(
        "auth.User",
        on_delete=models.CASCADE,
        related_name="report_files",
        verbose_name=_("requested by"),
    )
    query = models.CharField(_("filters"), max_length=1000, blank=True)
    # The offices the report covers, as its requester's roles gave them when they asked:
    # the file is theirs only while their roles still cover that much.
    every_office = models.BooleanField(_("every office"), default=False)
    offices = models.JSONField(_("offices"), default=list, blank=True)
    language = models.CharField(_("language"), max_length=10)
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    file = models.FileField(_("file"), upload_to="reports/", blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True, max_length=1000)
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # The worker building the report touches this every few seconds: a report "being
    # prepared" whose heartbeat stopped lost its worker, and is picked up again.
    heartbeat_at = models.DateTimeField(_("last sign of progress"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("report file")
        verbose_name_plural = _("report files")

    def __str__(self):
        return f"{self.get_kind_display()} {self.requested_at:%Y-%m-%d %H:%M}"

    @property
    def is_finished(self) -> bool:
        return self.status in (ReportStatus.DONE, ReportStatus.FAILED, ReportStatus.EXPIRED)
