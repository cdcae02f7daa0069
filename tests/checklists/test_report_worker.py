"""Background reports with a real worker process: one killed with -9 half-way does not
leave the report "being prepared" for ever."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.urls import reverse

from checklists.models import ReportFile, ReportStatus

from ..factories import make_project

STALE_SECONDS = 3

# A worker whose report building first waits a minute: long enough to be killed half-way.
SLOW_WORKER = """
import time, django
django.setup()
from checklists.workflow import reports
real = reports.report_content
def slow(report):
    time.sleep(60)
    return real(report)
reports.report_content = slow
from django.core.management import call_command
call_command("db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1")
"""


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{user}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def worker(*args, script=None):
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "pmapp.settings",
        "REPORT_STALE_SECONDS": str(STALE_SECONDS),
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "MEDIA_ROOT": str(django_settings.MEDIA_ROOT),
    }
    command = (
        [sys.executable, "-c", script]
        if script
        else [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", *args]
    )
    return subprocess.Popen(command, cwd=django_settings.BASE_DIR, env=env)


def wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    settings.REPORT_STALE_SECONDS = STALE_SECONDS


@pytest.mark.django_db(transaction=True)
def test_a_report_whose_worker_is_killed_is_picked_up_again(
    client, framework, database_tasks, hq_manager, office_a
):
    make_project(office=office_a, code="IRQ-KILL-01")
    client.force_login(hq_manager)
    client.post(reverse("checklists:portfolio-file-request"), {"kind": "portfolio_xlsx"})
    report = ReportFile.objects.get()
    url = reverse("checklists:portfolio-file", args=[report.pk])

    slow = worker(script=SLOW_WORKER)
    try:
        assert wait_for(lambda: ReportFile.objects.get().status == ReportStatus.RUNNING)
        os.kill(slow.pid, signal.SIGKILL)
    finally:
        slow.wait()
    assert ReportFile.objects.get().status == ReportStatus.RUNNING  # the dead worker's claim

    # Whoever waits on the status page learns of it once the heartbeat has stopped.
    time.sleep(STALE_SECONDS + 1)
    status = client.get(url, HTTP_ACCEPT="application/json").json()
    assert status["status"] == ReportStatus.QUEUED

    healthy = worker("--batch")
    assert healthy.wait(timeout=120) == 0
    report.refresh_from_db()
    assert (report.status, report.attempts) == (ReportStatus.DONE, 2)
    download = client.get(reverse("checklists:portfolio-file-download", args=[report.pk]))
    assert download.status_code == 200
    assert Path(report.file.path).exists()


@pytest.mark.django_db(transaction=True)
def test_a_report_killed_again_and_again_is_marked_failed_with_try_again(
    client, framework, database_tasks, hq_manager, office_a
):
    from checklists.workflow import reports

    make_project(office=office_a)
    client.force_login(hq_manager)
    client.post(reverse("checklists:portfolio-file-request"), {"kind": "portfolio_xlsx"})
    report = ReportFile.objects.get()
    url = reverse("checklists:portfolio-file", args=[report.pk])
    for _attempt in range(reports.MAX_REPORT_ATTEMPTS):
        slow = worker(script=SLOW_WORKER)
        try:
            assert wait_for(lambda: ReportFile.objects.get().status == ReportStatus.RUNNING)
            os.kill(slow.pid, signal.SIGKILL)
        finally:
            slow.wait()
        time.sleep(STALE_SECONDS + 1)
        client.get(url)

    page = client.get(url).content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert "The report could not be prepared" in page and "Try again" in page
    response = client.post(reverse("checklists:portfolio-file-retry", args=[report.pk]))
    again = ReportFile.objects.exclude(pk=report.pk).get()
    assert response["Location"] == reverse("checklists:portfolio-file", args=[again.pk])
    assert (again.status, again.kind) == (ReportStatus.QUEUED, report.kind)


@pytest.mark.django_db(transaction=True)
def test_a_task_delivered_twice_builds_the_report_once(framework, hq_manager, office_a, settings):
    from checklists.tasks import build_report_file
    from checklists.workflow import reports

    make_project(office=office_a)
    report = reports.request_report(user=hq_manager, kind="portfolio_xlsx", query="", language="en")
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE  # the immediate backend ran it at commit
    finished = report.finished_at
    build_report_file.call(report.pk)  # delivered again
    report.refresh_from_db()
    assert (report.finished_at, report.attempts) == (finished, 1)


def test_old_report_files_expire_and_say_so(
    client, hq_manager, office_a, settings, django_capture_on_commit_callbacks
):
    import datetime

    from django.core.management import call_command
    from django.utils import timezone

    from checklists.workflow import reports

    make_project(office=office_a)
    with django_capture_on_commit_callbacks(execute=True):
        report = reports.request_report(
            user=hq_manager, kind="portfolio_xlsx", query="", language="en"
        )
    report.refresh_from_db()
    path = Path(report.file.path)
    assert report.status == ReportStatus.DONE and path.exists()
    ReportFile.objects.filter(pk=report.pk).update(
        requested_at=timezone.now() - datetime.timedelta(days=settings.REPORT_FILES_KEEP_DAYS + 1)
    )
    call_command("expire_report_files", verbosity=0)
    report.refresh_from_db()
    assert report.status == ReportStatus.EXPIRED and not path.exists()
    client.force_login(hq_manager)
    page = client.get(reverse("checklists:portfolio-file", args=[report.pk])).content.decode()
    assert "This report was removed after some days" in page
    download = client.get(reverse("checklists:portfolio-file-download", args=[report.pk]))
    assert download.status_code == 404
