from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Offices and projects")

    def ready(self):
        from django.urls import register_converter

        from .converters import IdConverter

        register_converter(IdConverter, "id")

        from django.contrib.auth.signals import user_logged_in

        from .sessions import session_begins

        # Every way in (the login page, the organisation's sign-in, the admin's login)
        # starts the session's clocks the same way.
        user_logged_in.connect(session_begins, dispatch_uid="pmapp-session-begins")
