"""/api/v1/: the read API and its OpenAPI schema."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from . import views

app_name = "api"

router = SimpleRouter()
router.register("projects", views.ProjectViewSet, basename="project")
router.register("checklists", views.ChecklistViewSet, basename="checklist")
router.register("answers", views.AnswerViewSet, basename="answer")
router.register("action-points", views.ActionPointViewSet, basename="action-point")
router.register("reviews", views.ReviewViewSet, basename="review")

urlpatterns = [
    # What the API offers, for client generators and BI tools; it holds no data.
    path("schema/", login_not_required(SpectacularAPIView.as_view()), name="schema"),
    *router.urls,
    re_path(r"^", views.unknown_address, name="unknown"),
]
