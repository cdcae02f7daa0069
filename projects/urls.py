from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("projects/new/", views.ProjectCreateView.as_view(), name="create"),
    path("projects/<id:pk>/edit/", views.ProjectUpdateView.as_view(), name="update"),
    path("settings/", views.SettingsView.as_view(), name="settings"),
    path("settings/tokens/", views.access_token_list, name="access-tokens"),
    path("settings/tokens/<id:pk>/revoke/", views.revoke_access_token, name="access-token-revoke"),
]
