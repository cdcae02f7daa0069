from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChecklistsConfig(AppConfig):
    name = "checklists"
    verbose_name = _("Protection framework and checklists")

    def ready(self):
        from . import checks  # noqa: F401 (registers the deployment checks)
