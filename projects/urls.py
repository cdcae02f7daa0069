from django.urls import path

from . import views

app_name = "projects"

urlpatterns = [
    path("", views.ProjectListView.as_view(), name="home"),
    path("projects/new/", views.ProjectCreateView.as_view(), name="create"),
    path("projects/<id:pk>/", views.ProjectDetailView.as_view(), name="detail"),
    path("projects/<id:pk>/edit/", views.ProjectUpdateView.as_view(), name="update"),
]
