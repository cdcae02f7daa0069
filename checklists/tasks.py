"""Background work run by the task worker (`manage.py db_worker`): long portfolio reports
and notification e-mails."""

import logging
import threading

from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection
from django.http import QueryDict
from django.utils import timezone, translation
from django_tasks import default_task_backend, task

from projects import permissions

from . import notifications
from .models import ReportFile, ReportKind
from .reports import spreadsheet
from .reports.portfolio import PortfolioFilterForm, portfolio_report_pdf
from .workflow import reports as report_workflow

logger = logging.getLogger(__name__)


def heartbeat_seconds() -> float:
    """How often a worker building a report says it is still alive: several times within
    REPORT_STALE_SECONDS, after which a silent report counts as abandoned."""
    return max(0.5, settings.REPORT_STALE_SECONDS / 4)


def portfolio_for(user: User, query: str):
    """The same scope and filters the dashboard applied when the report was asked for."""
    scope = permissions.portfolio_projects(user)
    form = PortfolioFilterForm(QueryDict(query) or None, projects=scope)
    return form.filter(scope)


class _Heartbeat(threading.Thread):
    """Touches the report's heartbeat until stopped, from its own database connection."""

    def __init__(self, report_id: int):
        super().__init__(daemon=True)
        self.report_id = report_id
        self.stopped = threading.Event()

    def run(self):
        try:
            while not self.stopped.wait(heartbeat_seconds()):
                report_workflow.report_heartbeat(self.report_id)
        finally:
            connection.close()


def report_content(report: ReportFile) -> tuple[bytes, str]:
    """The report's bytes and file name, built in the requester's scope and language."""
    user = report.requested_by
    today = timezone.localdate()
    with translation.override(report.language):
        projects = portfolio_for(user, report.query)
        if report.kind == ReportKind.PORTFOLIO_PDF:
            content = portfolio_report_pdf(projects, language=report.language, generated_by=user)
            return content, f"portfolio-protection-report-{today:%Y-%m-%d}.pdf"
        return spreadsheet.workbook_bytes(projects, today=today), f"portfolio-{today:%Y-%m-%d}.xlsx"


@task()
def build_report_file(report_id: int) -> None:
    if not report_workflow.claim_report(report_id):
        return  # done, failed, or another worker is on it: a redelivered task does nothing
    report = ReportFile.objects.select_related("requested_by").get(pk=report_id)
    heartbeat = _Heartbeat(report_id)
    heartbeat.start()
    try:
        content, filename = report_content(report)
        report_workflow.finish_report(report=report, content=content, filename=filename)
    except Exception as error:  # the user must learn it failed rather than wait for ever
        logger.exception("report %s failed", report.pk)
        report_workflow.fail_report(report=report, error=f"{type(error).__name__}: {error}")
    finally:
        heartbeat.stopped.set()
        heartbeat.join()


@task()
def deliver_mail() -> int:
    """Send the notifications that are due; when some failed, come back when they are due
    again (``manage.py deliver_mail`` from cron does the same where tasks cannot wait)."""
    sent, retrying = notifications.deliver_due_mail()
    next_attempt = notifications.next_mail_attempt()
    if retrying and next_attempt is not None and default_task_backend.supports_defer:
        deliver_mail.using(run_after=max(next_attempt, timezone.now())).enqueue()
    return sent
