"""The task worker's heartbeat: the worker process says every few seconds that it is alive,
so that /health/ can tell a worker that stopped hours ago from one that is merely idle."""

import datetime
import logging
import os
import socket
import threading

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)

# Rows of workers not seen for this long are removed when a worker starts.
FORGET_AFTER = datetime.timedelta(days=7)


def heartbeat_interval() -> float:
    """Several beats within WORKER_HEARTBEAT_MAX_AGE, and at least one every 30 seconds."""
    return max(0.2, min(30.0, settings.WORKER_HEARTBEAT_MAX_AGE / 4))


def record_heartbeat(*, worker_id: str, started_at: datetime.datetime) -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "host": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": started_at,
            "seen_at": now,
        },
    )


def forget_old_workers() -> None:
    WorkerHeartbeat.objects.filter(seen_at__lt=timezone.now() - FORGET_AFTER).delete()


class Heartbeat(threading.Thread):
    """Beats from its own thread (and database connection) while the worker's loop runs its
    tasks, so a long report does not make a busy worker look dead. It stops beating when
    the worker's main thread has ended."""

    def __init__(self, *, worker_id: str):
        super().__init__(name="worker-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.started_at = timezone.now()
        self.stopped = threading.Event()
        self.main_thread = threading.main_thread()

    def beat(self) -> None:
        try:
            record_heartbeat(worker_id=self.worker_id, started_at=self.started_at)
        except DatabaseError:
            # The database is away: /health/ says so on its own. Try again next time, on
            # a new connection.
            logger.warning("Could not record the task worker's heartbeat", exc_info=True)
        finally:
            if threading.current_thread() is self:
                connection.close()

    def run(self) -> None:
        while not self.stopped.wait(heartbeat_interval()) and self.main_thread.is_alive():
            self.beat()

    def stop(self) -> None:
        self.stopped.set()
        if self.is_alive():
            self.join(timeout=5)
