"""`manage.py db_worker`: django-tasks-db's worker, which also records its heartbeat.

This command takes the place of django-tasks-db's own (the `operations` app comes before
`django_tasks_db` in INSTALLED_APPS, and the first app wins), so that deployments keep
running the command they know, with the same options.
"""

import os

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from operations.worker import Heartbeat, forget_old_workers


class Command(db_worker.Command):
    help = "Run the task worker (long reports, e-mails), recording its heartbeat for /health/."

    def handle(self, *args, **options):
        # With --reload, this process only watches the code and restarts a child process
        # that runs the worker (and beats); it does no work itself.
        watcher_only = (
            options["reload"]
            and not options["batch"]
            and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true"
        )
        if watcher_only:
            return super().handle(*args, **options)
        forget_old_workers()
        heartbeat = Heartbeat(worker_id=options["worker_id"])
        # At once, so that even a --batch run that finds nothing to do counts as a run.
        heartbeat.beat()
        heartbeat.start()
        try:
            return super().handle(*args, **options)
        finally:
            heartbeat.stop()
