from django.urls import path

from . import report_views, views

app_name = "checklists"

urlpatterns = [
    path("guidance/", views.GuidanceView.as_view(), name="guidance"),
    path("projects/<id:project_pk>/checklists/start/", views.start_checklist, name="start"),
    path(
        "projects/<id:project_pk>/action-points/",
        views.action_point_list,
        name="action-points",
    ),
    path("checklists/<id:pk>/", views.checklist_detail, name="detail"),
    path("checklists/<id:pk>/save/", views.checklist_save, name="save"),
    path(
        "checklists/<id:pk>/answers/<id:answer_pk>/",
        views.answer_save,
        name="answer-save",
    ),
    path("checklists/<id:pk>/review/", views.checklist_review, name="review"),
    path("checklists/<id:pk>/history/", views.checklist_history, name="checklist-history"),
    path("projects/<id:project_pk>/history/", views.project_history, name="project-history"),
    path(
        "projects/<id:project_pk>/move-to-evaluation/",
        views.move_to_evaluation,
        name="move-to-evaluation",
    ),
    path("projects/<id:project_pk>/report.pdf", report_views.project_report, name="project-report"),
    path("portfolio/", report_views.dashboard, name="dashboard"),
    path("portfolio/files/", report_views.request_portfolio_file, name="portfolio-file-request"),
    path("portfolio/files/<id:pk>/", report_views.portfolio_file, name="portfolio-file"),
    path(
        "portfolio/files/<id:pk>/download/",
        report_views.portfolio_file_download,
        name="portfolio-file-download",
    ),
    path(
        "portfolio/projects.csv",
        report_views.portfolio_csv,
        {"sheet": "projects"},
        name="portfolio-projects-csv",
    ),
    path(
        "portfolio/answers.csv",
        report_views.portfolio_csv,
        {"sheet": "answers"},
        name="portfolio-answers-csv",
    ),
    path("action-points/<id:pk>/done/", views.action_point_done, name="action-point-done"),
]
