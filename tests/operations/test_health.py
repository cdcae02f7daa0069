"""/health/ and /health/live/: no login, no data, 200 or 503 from the database, the file
storage and the task worker's heartbeat; the worker records that heartbeat; the deployment
check warns when no worker has ever run."""

import datetime
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core import checks
from django.urls import reverse
from django.utils import timezone

from operations.models import WorkerHeartbeat

from .databases import database_url, run

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def database_tasks(settings):
    """Tasks go to the database queue, as in production: a worker is needed."""
    settings.TASKS = DATABASE_TASKS
    settings.WORKER_HEARTBEAT_MAX_AGE = 120


def beat(seconds_ago: float, worker_id="w1") -> WorkerHeartbeat:
    now = timezone.now()
    return WorkerHeartbeat.objects.create(
        worker_id=worker_id,
        host="app-1",
        pid=1234,
        started_at=now - datetime.timedelta(hours=1),
        seen_at=now - datetime.timedelta(seconds=seconds_ago),
    )


def test_health_is_200_when_everything_is_fine(client, database_tasks, project_a):
    beat(seconds_ago=10)
    response = client.get(reverse("operations:health"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == {"status": "ok"}
    assert body["checks"]["storage"] == {"status": "ok", "kind": "local"}
    assert body["checks"]["worker"]["status"] == "ok"
    assert body["checks"]["worker"]["seconds_since_heartbeat"] in (10, 11)
    # No data of the app: no project, office, user or host name.
    text = response.content.decode()
    for secret in ("IRQ-SHL-01", "Shelter", "Iraq", "app-1", "staff"):
        assert secret not in text


def test_health_is_503_when_the_workers_heartbeat_is_old(client, database_tasks):
    beat(seconds_ago=600, worker_id="old")
    response = client.get(reverse("operations:health"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "failing"
    assert body["checks"]["worker"]["status"] == "failing"
    assert body["checks"]["worker"]["seconds_since_heartbeat"] >= 600
    assert body["checks"]["worker"]["max_age"] == 120
    assert body["checks"]["database"]["status"] == "ok"
    # A newer worker makes it fine again: the newest heartbeat counts.
    beat(seconds_ago=5, worker_id="new")
    assert client.get(reverse("operations:health")).status_code == 200


def test_health_is_503_when_no_worker_has_ever_run(client, database_tasks):
    response = client.get(reverse("operations:health"))
    assert response.status_code == 503
    assert response.json()["checks"]["worker"]["problem"] == "no task worker has ever run"


def test_the_max_age_is_a_setting(client, database_tasks, settings):
    beat(seconds_ago=200)
    assert client.get(reverse("operations:health")).status_code == 503
    settings.WORKER_HEARTBEAT_MAX_AGE = 300
    assert client.get(reverse("operations:health")).status_code == 200


def test_no_worker_is_needed_when_tasks_run_at_once(client):
    # The test settings run tasks in the request (ImmediateBackend): nothing to wait for.
    response = client.get(reverse("operations:health"))
    assert response.status_code == 200
    assert response.json()["checks"]["worker"] == {"status": "ok", "needed": False}


def test_health_is_503_when_the_media_folder_cannot_be_written(
    client, database_tasks, settings, tmp_path
):
    beat(seconds_ago=1)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    settings.MEDIA_ROOT = blocker / "media"
    response = client.get(reverse("operations:health"))
    assert response.status_code == 503
    assert response.json()["checks"]["storage"] == {
        "status": "failing",
        "kind": "local",
        "problem": "the file storage does not answer",
    }
    assert str(tmp_path) not in response.content.decode()


def test_health_needs_no_login_and_refuses_posts(client):
    assert client.get(reverse("operations:health")).status_code in (200, 503)
    assert client.get(reverse("operations:live")).status_code == 200
    assert client.post(reverse("operations:health")).status_code == 405
    assert client.post(reverse("operations:live")).status_code == 405


def test_live_touches_no_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("operations:live"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_health_is_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get(reverse("operations:live")).status_code == 200
    assert client.get(reverse("checklists:home")).status_code == 301


def run_health_in_a_process(database_url: str) -> tuple[int, dict]:
    """/health/ of an app whose database cannot be reached, in a process of its own."""
    script = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client(HTTP_HOST='localhost').get('/health/');"
        "print(r.status_code); print(r.content.decode())"
    )
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "pmapp.settings",
        "DEBUG": "true",
        "LOG_LEVEL": "CRITICAL",
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
    }
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    status, body = done.stdout.strip().split("\n", 1)
    return int(status), json.loads(body)


@pytest.mark.parametrize(
    "database_url",
    [
        # Nothing listens on port 1: connection refused.
        "postgres://pmapp@127.0.0.1:1/pmapp",
        # A file in a folder that does not exist: SQLite cannot open it.
        "sqlite:////nonexistent-folder/pmapp.sqlite3",
    ],
    ids=["postgresql-refused", "sqlite-missing"],
)
def test_health_is_503_when_the_database_is_unreachable(database_url, tmp_path):
    status, body = run_health_in_a_process(database_url)
    assert status == 503
    assert body["status"] == "failing"
    assert body["checks"]["database"] == {
        "status": "failing",
        "problem": "the database does not answer",
    }
    assert body["checks"]["worker"]["status"] == "failing"
    assert "127.0.0.1" not in json.dumps(body) and "nonexistent" not in json.dumps(body)


@pytest.mark.django_db(transaction=True)
def test_the_worker_records_its_heartbeat_and_forgets_workers_gone_for_a_week():
    beat(seconds_ago=8 * 24 * 3600, worker_id="gone")
    beat(seconds_ago=3600, worker_id="stopped-an-hour-ago")
    before = timezone.now()
    # As an operator runs it, in a process of its own, with the database task queue.
    done = run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"],
        env={"TASKS_BACKEND": "django_tasks_db.DatabaseBackend"},
    )
    assert done.returncode == 0, done.stderr
    assert set(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == {
        "stopped-an-hour-ago",
        WorkerHeartbeat.objects.latest("seen_at").worker_id,
    }
    new = WorkerHeartbeat.objects.latest("seen_at")
    assert new.worker_id != "stopped-an-hour-ago"
    assert new.seen_at >= before and new.started_at >= before
    assert new.pid != os.getpid()


def worker_check_ids() -> list[str]:
    return [message.id for message in checks.run_checks(include_deployment_checks=True)]


def test_the_deploy_check_warns_until_a_worker_has_run(database_tasks):
    assert "pmapp.W002" in worker_check_ids()
    beat(seconds_ago=30 * 24 * 3600)  # any run at all, however long ago
    assert "pmapp.W002" not in worker_check_ids()


def test_the_deploy_check_is_quiet_when_tasks_run_at_once():
    assert "pmapp.W002" not in worker_check_ids()


@pytest.mark.django_db(transaction=True)
def test_a_running_worker_keeps_beating_and_stops_on_sigterm():
    environment = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        # A beat every quarter of a second.
        "WORKER_HEARTBEAT_MAX_AGE": "1",
    }
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        seen = set()
        deadline = time.monotonic() + 30
        while len(seen) < 3 and time.monotonic() < deadline:
            seen.update(WorkerHeartbeat.objects.values_list("seen_at", flat=True))
            time.sleep(0.1)
        assert len(seen) >= 3, "the worker did not keep beating"
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0, worker.stderr.read()


def test_health_checks_the_bucket_on_object_storage(client, bucket, database_tasks, settings):
    beat(seconds_ago=1)
    response = client.get(reverse("operations:health"))
    assert response.status_code == 200
    assert response.json()["checks"]["storage"] == {"status": "ok", "kind": "s3"}
    # A bucket that is not there (or not ours) fails, without its name in the answer.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            **settings.STORAGES["default"],
            "OPTIONS": {**settings.STORAGES["default"]["OPTIONS"], "bucket_name": "gone-away"},
        },
    }
    response = client.get(reverse("operations:health"))
    assert response.status_code == 503
    assert response.json()["checks"]["storage"]["status"] == "failing"
    assert "gone-away" not in response.content.decode()
