"""The life of a background report: asked for, built by a worker, ready, failed or expired.

A worker can die at any moment (killed, out of memory, a new release): a report whose
worker stopped showing signs of progress is queued again, or after a few attempts marked
failed with a message, so nobody waits for ever on "being prepared".
"""

from __future__ import annotations

import datetime
import logging
import threading

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import F, Q
from django.http import QueryDict
from django.utils import timezone, translation
from django_tasks import task

from projects import permissions

from ..models import ReportFile, ReportKind, ReportStatus
from ..reports import spreadsheet
from ..reports.portfolio import PortfolioFilterForm, portfolio_report_pdf

logger = logging.getLogger(__name__)

MAX_REPORT_ATTEMPTS = 3
# For the administrator (the user sees a message in their language and "Try again").
WORKER_STOPPED = f"the worker preparing it stopped responding, {MAX_REPORT_ATTEMPTS} times"


def stale_after() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.REPORT_STALE_SECONDS)


def _enqueue(report_id: int) -> None:
    transaction.on_commit(lambda: build_report_file.enqueue(report_id))


@transaction.atomic
def request_report(*, user: User, kind: str, query: str, language: str) -> ReportFile:
    every_office, offices = permissions.portfolio_scope(user)
    report = ReportFile.objects.create(
        kind=kind,
        requested_by=user,
        query=query[:1000],
        language=language,
        every_office=every_office,
        offices=offices,
    )
    _enqueue(report.pk)
    return report


@transaction.atomic
def request_again(*, report: ReportFile) -> ReportFile:
    """ "Try again": the same report asked for anew (the failed one stays as it was)."""
    return request_report(
        user=report.requested_by, kind=report.kind, query=report.query, language=report.language
    )


def claim_report(report_id: int, *, now: datetime.datetime | None = None) -> bool:
    """Take a report to build it. Only one worker wins; a task delivered twice, or a report
    already built, is left alone (building is idempotent)."""
    now = now or timezone.now()
    claimable = Q(status=ReportStatus.QUEUED) | Q(
        status=ReportStatus.RUNNING, heartbeat_at__lt=now - stale_after()
    )
    return bool(
        ReportFile.objects.filter(claimable, pk=report_id).update(
            status=ReportStatus.RUNNING, heartbeat_at=now, attempts=F("attempts") + 1
        )
    )


def report_heartbeat(report_id: int) -> None:
    ReportFile.objects.filter(pk=report_id, status=ReportStatus.RUNNING).update(
        heartbeat_at=timezone.now()
    )


def finish_report(*, report: ReportFile, content: bytes, filename: str) -> None:
    """Store the file (replacing any left by an earlier attempt) and mark the report ready."""
    name = f"reports/{report.pk}-{filename}"
    storage = report.file.storage
    if storage.exists(name):
        storage.delete(name)
    report.file.save(name.removeprefix("reports/"), ContentFile(content), save=False)
    report.filename = filename
    report.status = ReportStatus.DONE
    report.finished_at = timezone.now()
    report.save(update_fields=["file", "filename", "status", "finished_at"])


def fail_report(*, report: ReportFile, error: str) -> None:
    ReportFile.objects.filter(pk=report.pk).update(
        status=ReportStatus.FAILED, error=error[:1000], finished_at=timezone.now()
    )


@transaction.atomic
def recover_stalled_reports(*, now: datetime.datetime | None = None, reports=None) -> int:
    """Queue again, or mark failed, the reports whose worker stopped. Returns how many."""
    now = now or timezone.now()
    reports = ReportFile.objects.all() if reports is None else reports
    stalled = list(
        reports.select_for_update().filter(
            status=ReportStatus.RUNNING, heartbeat_at__lt=now - stale_after()
        )
    )
    for report in stalled:
        if report.attempts >= MAX_REPORT_ATTEMPTS:
            report.status = ReportStatus.FAILED
            report.error = WORKER_STOPPED
            report.finished_at = now
            report.save(update_fields=["status", "error", "finished_at"])
        else:
            report.status = ReportStatus.QUEUED
            report.save(update_fields=["status"])
            _enqueue(report.pk)
    return len(stalled)


def expire_report_files(*, now: datetime.datetime | None = None) -> int:
    """Remove the files of reports older than REPORT_FILES_KEEP_DAYS; the rows stay, marked
    expired, so an old link says so instead of "not found". Returns how many."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.REPORT_FILES_KEEP_DAYS)
    expired = 0
    for report in ReportFile.objects.filter(requested_at__lt=cutoff).exclude(
        status__in=[ReportStatus.EXPIRED, ReportStatus.QUEUED, ReportStatus.RUNNING]
    ):
        if report.file:
            report.file.delete(save=False)
        report.status = ReportStatus.EXPIRED
        report.save(update_fields=["file", "status"])
        expired += 1
    return expired


# --- Building a report: the worker's task (manage.py db_worker) ---------------------------


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
                report_heartbeat(self.report_id)
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
    if not claim_report(report_id):
        return  # done, failed, or another worker is on it: a redelivered task does nothing
    report = ReportFile.objects.select_related("requested_by").get(pk=report_id)
    heartbeat = _Heartbeat(report_id)
    heartbeat.start()
    try:
        content, filename = report_content(report)
        finish_report(report=report, content=content, filename=filename)
    except Exception as error:  # the user must learn it failed rather than wait for ever
        logger.exception("report %s failed", report.pk)
        fail_report(report=report, error=f"{type(error).__name__}: {error}")
    finally:
        heartbeat.stopped.set()
        heartbeat.join()
