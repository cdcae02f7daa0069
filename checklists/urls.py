from django.urls import path

from .views import (
    access_log,
    acting,
    action_points,
    authoring,
    evidence,
    filling,
    guidance,
    history,
    office_items,
    offline,
    overview,
    reports,
    review,
    risk_analysis,
)

app_name = "checklists"

urlpatterns = [
    path("", overview.HomeView.as_view(), name="home"),
    path("guidance/", guidance.GuidanceView.as_view(), name="guidance"),
    # Working without a connection.
    path("sw.js", offline.service_worker, name="service-worker"),
    path("offline/", offline.offline_page, name="offline"),
    path("manifest.webmanifest", offline.manifest, name="manifest"),
    # A project's page and what hangs from it.
    path("projects/<id:pk>/", overview.ProjectDetailView.as_view(), name="project"),
    path("projects/<id:project_pk>/checklists/start/", filling.start_checklist, name="start"),
    path(
        "projects/<id:project_pk>/action-points/",
        action_points.action_point_list,
        name="action-points",
    ),
    path("projects/<id:project_pk>/history/", history.project_history, name="project-history"),
    path(
        "projects/<id:project_pk>/move-to-evaluation/",
        review.move_to_evaluation,
        name="move-to-evaluation",
    ),
    path("projects/<id:project_pk>/report.pdf", reports.project_report, name="project-report"),
    path("projects/<id:project_pk>/record.zip", reports.project_record, name="project-record"),
    path("projects/<id:project_pk>/access/", access_log.project_access_log, name="project-access"),
    path(
        "projects/<id:project_pk>/access.csv",
        access_log.project_access_log_csv,
        name="project-access-csv",
    ),
    # The project's protection risk analysis.
    path(
        "projects/<id:project_pk>/risk-analysis/",
        risk_analysis.risk_analysis,
        name="risk-analysis",
    ),
    path(
        "projects/<id:project_pk>/risk-analysis/<id:pk>/",
        risk_analysis.risk_row_edit,
        name="risk-row",
    ),
    path(
        "projects/<id:project_pk>/risk-analysis/<id:pk>/remove/",
        risk_analysis.risk_row_delete,
        name="risk-row-remove",
    ),
    path(
        "projects/<id:project_pk>/risk-analysis/<id:pk>/action-point/",
        risk_analysis.risk_row_action_point,
        name="risk-row-action-point",
    ),
    # A checklist: filling, review, history.
    path("checklists/<id:pk>/", filling.checklist_detail, name="detail"),
    path("checklists/<id:pk>/save/", filling.checklist_save, name="save"),
    path("checklists/<id:pk>/answers/<id:answer_pk>/", filling.answer_save, name="answer-save"),
    path(
        "checklists/<id:pk>/answers/<id:answer_pk>/evidence/",
        evidence.answer_evidence,
        name="evidence",
    ),
    path(
        "checklists/<id:pk>/evidence/<id:evidence_pk>/",
        evidence.download_evidence,
        name="evidence-download",
    ),
    path(
        "checklists/<id:pk>/evidence/<id:evidence_pk>/remove/",
        evidence.remove_evidence,
        name="evidence-remove",
    ),
    path("checklists/<id:pk>/guidance/", guidance.checklist_guidance, name="checklist-guidance"),
    path("checklists/<id:pk>/review/", review.checklist_review, name="review"),
    path("checklists/<id:pk>/history/", history.checklist_history, name="checklist-history"),
    path("acting/", acting.acting_list, name="acting"),
    path("acting/<id:pk>/end/", acting.acting_end, name="acting-end"),
    path("action-points/<id:pk>/done/", action_points.action_point_done, name="action-point-done"),
    # Framework versions, for the HQ protection unit.
    path("frameworks/", authoring.framework_list, name="frameworks"),
    path("frameworks/import/", authoring.framework_import, name="framework-import"),
    path("frameworks/<id:pk>/", authoring.framework_detail, name="framework"),
    path(
        "frameworks/<id:pk>/export.xlsx",
        authoring.framework_export,
        {"file_format": "xlsx"},
        name="framework-export-xlsx",
    ),
    path(
        "frameworks/<id:pk>/export.json",
        authoring.framework_export,
        {"file_format": "json"},
        name="framework-export-json",
    ),
    path("frameworks/<id:pk>/compare/", authoring.framework_compare, name="framework-compare"),
    path("frameworks/<id:pk>/publish/", authoring.framework_publish, name="framework-publish"),
    path(
        "frameworks/<id:pk>/new-draft/", authoring.framework_new_draft, name="framework-new-draft"
    ),
    path("office-items/", office_items.office_items_index, name="office-items-index"),
    path("offices/<id:office_pk>/items/", office_items.office_items, name="office-items"),
    path(
        "offices/<id:office_pk>/items/new/", office_items.office_item_edit, name="office-item-add"
    ),
    path(
        "offices/<id:office_pk>/items/<id:item_pk>/",
        office_items.office_item_edit,
        name="office-item",
    ),
    path(
        "offices/<id:office_pk>/items/<id:item_pk>/agree/",
        office_items.office_item_agree,
        name="office-item-agree",
    ),
    path(
        "offices/<id:office_pk>/items/new-draft/",
        office_items.office_items_new_draft,
        name="office-items-new-draft",
    ),
    path(
        "offices/<id:office_pk>/items/publish/",
        office_items.office_items_publish,
        name="office-items-publish",
    ),
    path("frameworks/<id:pk>/items/new/", authoring.item_edit, name="framework-item-add"),
    path("frameworks/<id:pk>/items/<id:item_pk>/", authoring.item_edit, name="framework-item"),
    path(
        "frameworks/<id:pk>/items/<id:item_pk>/retire/",
        authoring.item_retire,
        name="framework-item-retire",
    ),
    # The portfolio of managers.
    path("portfolio/", reports.dashboard, name="dashboard"),
    path("portfolio/files/", reports.request_portfolio_file, name="portfolio-file-request"),
    path("portfolio/files/<id:pk>/", reports.portfolio_file, name="portfolio-file"),
    path(
        "portfolio/files/<id:pk>/retry/", reports.retry_portfolio_file, name="portfolio-file-retry"
    ),
    path(
        "portfolio/files/<id:pk>/download/",
        reports.portfolio_file_download,
        name="portfolio-file-download",
    ),
    path(
        "portfolio/projects.csv",
        reports.portfolio_csv,
        {"sheet": "projects"},
        name="portfolio-projects-csv",
    ),
    path(
        "portfolio/answers.csv",
        reports.portfolio_csv,
        {"sheet": "answers"},
        name="portfolio-answers-csv",
    ),
]
