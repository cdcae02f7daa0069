from django.urls import path

from . import account_views, views

app_name = "projects"

urlpatterns = [
    path("projects/new/", views.ProjectCreateView.as_view(), name="create"),
    path("projects/<id:pk>/edit/", views.ProjectUpdateView.as_view(), name="update"),
    path("settings/", views.SettingsView.as_view(), name="settings"),
    path("settings/tokens/", views.access_token_list, name="access-tokens"),
    path("settings/tokens/<id:pk>/revoke/", views.revoke_access_token, name="access-token-revoke"),
    path("settings/two-step/", account_views.second_factor_settings, name="second-factor"),
    path(
        "settings/two-step/recovery-codes/",
        account_views.new_recovery_codes,
        name="recovery-codes",
    ),
    path("settings/two-step/off/", account_views.second_factor_off, name="second-factor-off"),
    path("settings/sessions/", account_views.signed_in_sessions, name="sessions"),
    path("settings/sessions/<id:pk>/end/", account_views.end_session, name="session-end"),
    path(
        "settings/sessions/end-others/",
        account_views.end_other_sessions,
        name="sessions-end-others",
    ),
]
