"""Background work: long portfolio reports, run by the task worker (`manage.py db_worker`)."""

import logging

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.http import QueryDict
from django.utils import timezone, translation
from django_tasks import task

from projects import permissions

from .models import ReportFile, ReportKind, ReportStatus
from .reports import spreadsheet
from .reports.portfolio import PortfolioFilterForm, portfolio_report_pdf

logger = logging.getLogger(__name__)


def portfolio_for(user: User, query: str):
    """The same scope and filters the dashboard applied when the report was asked for."""
    scope = permissions.portfolio_projects(user)
    form = PortfolioFilterForm(QueryDict(query) or None, projects=scope)
    return form.filter(scope)


@task()
def build_report_file(report_id: int) -> None:
    report = ReportFile.objects.select_related("requested_by").get(pk=report_id)
    if report.status != ReportStatus.QUEUED:
        return  # already handled (a task delivered twice does nothing twice)
    ReportFile.objects.filter(pk=report.pk).update(status=ReportStatus.RUNNING)
    user = report.requested_by
    today = timezone.localdate()
    try:
        with translation.override(report.language):
            projects = portfolio_for(user, report.query)
            if report.kind == ReportKind.PORTFOLIO_PDF:
                content = portfolio_report_pdf(
                    projects, language=report.language, generated_by=user
                )
                filename = f"portfolio-protection-report-{today:%Y-%m-%d}.pdf"
            else:
                content = spreadsheet.workbook_bytes(projects, today=today)
                filename = f"portfolio-{today:%Y-%m-%d}.xlsx"
        report.file.save(f"{report.pk}-{filename}", ContentFile(content), save=False)
        report.filename = filename
        report.status = ReportStatus.DONE
    except Exception as error:  # the user must learn it failed rather than wait forever
        logger.exception("report %s failed", report.pk)
        report.status = ReportStatus.FAILED
        report.error = str(error)[:1000]
    report.finished_at = timezone.now()
    report.save(update_fields=["file", "filename", "status", "error", "finished_at"])
