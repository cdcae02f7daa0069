from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    default = True
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

        # And the session is recorded as this person's (whatever opened it, a test's
        # force_login included), so that it can be listed and ended.
        user_logged_in.connect(_record_session, dispatch_uid="projects.record_session")


def _record_session(sender, request, user, **kwargs):
    from .accounts import record_session

    if request is not None and hasattr(request, "session"):
        record_session(request=request, user=user)


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin on the app's own site class, which asks for the second factor."""

    default = False  # named in INSTALLED_APPS in place of django.contrib.admin
    default_site = "projects.second_factor.AdminSite"
