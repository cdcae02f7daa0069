from django.urls import path

from . import views

app_name = "checklists"

urlpatterns = [
    path("guidance/", views.GuidanceView.as_view(), name="guidance"),
]
