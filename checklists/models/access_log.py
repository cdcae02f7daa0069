"""Who saw what: an entry for every read of evidence, reports, spreadsheets and API answers.

Changes have their audit trail (AuditEntry); reads have this. One entry per request: who,
when, what, from which address, and whose data it was (a project, or for a read across
projects such as a portfolio spreadsheet, the offices it covered). Kept for
RETENTION_ACCESS_LOG_YEARS, then removed by `manage.py apply_retention`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessKind(models.TextChoices):
    EVIDENCE = "evidence", _("Evidence file downloaded")
    PROJECT_REPORT = "project_report", _("Project report (PDF)")
    PROJECT_RECORD = "project_record", _("Project's complete record (ZIP)")
    PORTFOLIO_FILE = "portfolio_file", _("Portfolio report file")
    PORTFOLIO_CSV = "portfolio_csv", _("Portfolio spreadsheet (CSV)")
    API_ANSWERS = "api_answers", _("Answers read through the API")
    ACCESS_LOG_EXPORT = "access_log_export", _("Access log exported")


class AccessLogEntryQuerySet(models.QuerySet):
    def about_project(self, project):
        """Reads of the project's data: of the project itself, and reads across projects
        (portfolio files, API pages) that covered its office."""
        across = models.Q(project__isnull=True) & (
            models.Q(every_office=True) | models.Q(offices=project.office_id)
        )
        return self.filter(models.Q(project=project) | across).distinct()


class AccessLogEntry(models.Model):
    """One read of protected data. Never edited; removed only by the retention schedule."""

    user = models.ForeignKey(
        "auth.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("who")
    )
    kind = models.CharField(_("what was read"), max_length=30, choices=AccessKind.choices)
    what = models.CharField(_("details"), max_length=300, blank=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        related_name="access_log",
        verbose_name=_("project"),
        null=True,
        blank=True,
    )
    # The file itself; emptied when the retention schedule deletes it (the entry stays).
    evidence = models.ForeignKey(
        "checklists.Evidence",
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("evidence file"),
        null=True,
        blank=True,
    )
    # A read across projects: the offices it covered, or every office.
    offices = models.ManyToManyField(
        "projects.Office", related_name="+", verbose_name=_("offices"), blank=True
    )
    every_office = models.BooleanField(_("every office"), default=False)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    objects = AccessLogEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log entries")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.user} {self.kind}"
