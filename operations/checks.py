"""Deployment checks (``manage.py check --deploy``) for running the service."""

from django.core import checks
from django.db import DatabaseError


@checks.register("operations", deploy=True)
def check_worker_has_run(app_configs=None, **kwargs):
    """Warn when no task worker has ever run against this database: long reports and
    e-mails would wait forever, and /health/ answers 503."""
    from .health import worker_is_needed
    from .models import WorkerHeartbeat

    if not worker_is_needed():
        return []
    try:
        seen_at = WorkerHeartbeat.objects.latest_seen()
    except DatabaseError:
        return []  # no tables yet: nothing to check
    if seen_at is not None:
        return []
    return [
        checks.Warning(
            "No task worker has ever run against this database: long reports and e-mails "
            "would wait forever, and /health/ answers 503.",
            hint="Start the worker (python manage.py db_worker; docs/deployment.md gives a "
            "systemd unit for it). A single run that stops when the queue is empty also "
            "counts: python manage.py db_worker --batch",
            id="pmapp.W002",
        )
    ]
