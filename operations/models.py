from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeatQuerySet(models.QuerySet):
    def latest_seen(self):
        """When a task worker was last seen alive, or None if none has ever run here."""
        return self.aggregate(latest=models.Max("seen_at"))["latest"]


class WorkerHeartbeat(models.Model):
    """One task worker process (`manage.py db_worker`), and when it last said it is alive.

    The worker writes its row every few seconds (operations/worker.py); /health/ and the
    deployment check read the newest one. Rows of workers gone for a week are removed when
    a worker starts.
    """

    worker_id = models.CharField(_("worker id"), max_length=64, unique=True)
    host = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    started_at = models.DateTimeField(_("running since"))
    seen_at = models.DateTimeField(_("last seen"), db_index=True)

    objects = WorkerHeartbeatQuerySet.as_manager()

    class Meta:
        verbose_name = _("task worker heartbeat")
        verbose_name_plural = _("task worker heartbeats")
        ordering = ["-seen_at"]

    def __str__(self):
        return f"{self.host}:{self.pid} ({self.worker_id})"
