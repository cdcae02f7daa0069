"""What /health/ checks: the database, the file storage and the task worker.

Each check answers a small dict with "status" ("ok" or "failing") and, when failing, a
fixed phrase: the answer is public, so it never carries an exception's text (host names,
paths), which goes to the log instead.
"""

import logging
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import DatabaseError, connection
from django.utils import timezone

from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)

OK = "ok"
FAILING = "failing"


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.exception("Health check: the database does not answer")
        return {"status": FAILING, "problem": "the database does not answer"}
    return {"status": OK}


def storage_kind(storage) -> str:
    return "local" if isinstance(storage, FileSystemStorage) else "s3"


def check_storage(storage=None) -> dict:
    """Local folder: it exists (or can be made) and a file can be written in it. S3: the
    bucket answers, with short timeouts and no retries, so a dead endpoint cannot hold the
    health check for minutes."""
    storage = storage or default_storage
    kind = storage_kind(storage)
    try:
        if kind == "local":
            root = Path(storage.location)
            root.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=root, prefix=".health-"):
                pass
        else:
            bucket_client(storage).head_bucket(Bucket=storage.bucket_name)
    except Exception:
        logger.exception("Health check: the file storage (%s) does not answer", kind)
        return {"status": FAILING, "kind": kind, "problem": "the file storage does not answer"}
    return {"status": OK, "kind": kind}


def bucket_client(storage):
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client(
        "s3",
        endpoint_url=storage.endpoint_url,
        region_name=storage.region_name,
        aws_access_key_id=storage.access_key,
        aws_secret_access_key=storage.secret_key,
        config=Config(
            connect_timeout=3,
            read_timeout=5,
            retries={"total_max_attempts": 1},
            signature_version=storage.signature_version,
        ),
    )


def worker_is_needed() -> bool:
    """Only the database task backend needs a worker (tests run tasks at once)."""
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
    from django_tasks_db import DatabaseBackend

    return isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend)


def check_worker() -> dict:
    max_age = settings.WORKER_HEARTBEAT_MAX_AGE
    if not worker_is_needed():
        return {"status": OK, "needed": False}
    try:
        seen_at = WorkerHeartbeat.objects.latest_seen()
    except DatabaseError:
        logger.exception("Health check: cannot read the task worker's heartbeat")
        return {"status": FAILING, "problem": "the heartbeat cannot be read"}
    if seen_at is None:
        return {"status": FAILING, "problem": "no task worker has ever run", "max_age": max_age}
    age = max(0, round((timezone.now() - seen_at).total_seconds()))
    if age > max_age:
        return {
            "status": FAILING,
            "problem": "the task worker's heartbeat is too old",
            "seconds_since_heartbeat": age,
            "max_age": max_age,
        }
    return {"status": OK, "seconds_since_heartbeat": age, "max_age": max_age}


def run_checks() -> dict:
    checks = {
        "database": check_database(),
        "storage": check_storage(),
        "worker": check_worker(),
    }
    healthy = all(check["status"] == OK for check in checks.values())
    return {"status": OK if healthy else FAILING, "checks": checks}
