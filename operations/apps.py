from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    """Running the service for years: health, the task worker's heartbeat, backup and
    restore, request logs. Nothing here is a page for the app's users."""

    name = "operations"
    verbose_name = _("Operations")

    def ready(self):
        from . import checks  # noqa: F401 (registers the deployment checks)
