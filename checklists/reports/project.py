"""Gathering the project progress report: plain data, no PDF library involved."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.db.models import Prefetch
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from projects.models import Project

from .. import scoring
from ..models import (
    RISK_LEVELS,
    Answer,
    ChecklistStatus,
    Evidence,
    Phase,
    Principle,
    Review,
    RiskRow,
    endorsement_of,
    risk_matrix,
)
from .charts import checklist_chart


def _sections(checklists, answers, reviews, scores, principles) -> tuple[list, list]:
    """Per checklist: a summary row (scores) and a section (answers by principle, reviews)."""
    summary_rows, sections = [], []
    for checklist in checklists:
        checklist_scores = scores.get(checklist.pk) or scoring.ChecklistScores()
        summary_rows.append(
            {
                "checklist": checklist,
                "label": checklist.label,
                "principle_scores": [checklist_scores.by_principle.get(p.pk) for p in principles],
                "overall": checklist_scores.overall,
            }
        )
        own_answers = [a for a in answers if a.checklist_id == checklist.pk]
        sections.append(
            {
                "checklist": checklist,
                "label": checklist.label,
                "groups": [
                    {
                        "principle": principle,
                        "score": checklist_scores.by_principle.get(principle.pk),
                        "answers": [a for a in own_answers if a.item.principle_id == principle.pk],
                    }
                    for principle in principles
                ],
                "reviews": [r for r in reviews if r.checklist_id == checklist.pk],
            }
        )
    return summary_rows, sections


def _overall(checklists, scores):
    """The project's rating: that of its latest approved checklist, and which one it is."""
    approved = [c for c in checklists if c.status == ChecklistStatus.APPROVED]
    latest = max(approved, key=lambda c: (c.phase.order, c.round), default=None)
    if latest is None:
        return None, None
    return (scores.get(latest.pk) or scoring.ChecklistScores()).overall, latest.label


def _answers_and_reviews(project: Project):
    """The project's answers (with remarks and current evidence) and its reviews."""
    answers = (
        Answer.objects.filter(checklist__project=project)
        .prefetch_related(
            "review_comments__review__reviewer",
            Prefetch("evidence_files", queryset=Evidence.objects.current(), to_attr="evidence"),
        )
        .for_page()
    )
    reviews = list(
        Review.objects.filter(checklist__project=project)
        .select_related("reviewer", "level_office", "acting_for")
        .prefetch_related("conditions__owner")
        .order_by("decided_at")
    )
    return answers, reviews


def _risk_analysis(project: Project) -> dict:
    """The project's protection risk analysis: its rows and the heat map."""
    rows = list(
        RiskRow.objects.filter(analysis__project=project).select_related("owner", "action_point")
    )
    return {"risk_rows": rows, "risk_matrix": risk_matrix(rows), "risk_levels": RISK_LEVELS}


def build_project_report(
    project: Project, *, language: str, generated_by: User, now: datetime.datetime | None = None
) -> dict:
    """Everything the project report shows, computed by the same code as the pages."""
    with translation.override(language):
        now = now or timezone.now()
        today = timezone.localdate(now)
        principles = list(Principle.objects.all())
        checklists = list(
            project.checklists.select_related("phase", "framework", "submitted_by").order_by(
                "phase__order", "round"
            )
        )
        scores = scoring.scores_for_checklists([c.pk for c in checklists])
        office_scores = scoring.office_scores_for_checklists([c.pk for c in checklists])
        answers, reviews = _answers_and_reviews(project)
        summary_rows, sections = _sections(checklists, answers, reviews, scores, principles)
        for row in summary_rows:  # the office's own items, scored apart
            row["office_score"] = office_scores.get(row["checklist"].pk)
        by_pk = {c.pk: c for c in checklists}
        action_points = list(
            project.action_points.open()
            .select_related("owner", "answer__item")
            .order_by("due_date")
        )
        overall, overall_from = _overall(checklists, scores)
        return {
            "project": project,
            "language": language,
            "generated_at": now,
            "generated_by": generated_by,
            "sectors": list(project.sectors.all()),
            "phases": list(Phase.objects.all()),
            "principles": principles,
            "frameworks": sorted({str(c.framework) for c in checklists}),
            "endorsement": endorsement_of(project),
            "overall": overall,
            "overall_from": overall_from,
            "summary_rows": summary_rows,
            "office_items": bool(office_scores),
            "chart": checklist_chart(summary_rows, principles),
            "critical_gaps": [
                {"answer": a, "checklist": by_pk[a.checklist_id]}
                for a in answers
                if a.is_critical_gap
            ],
            "open_action_points": action_points,
            "overdue_action_points": [a for a in action_points if a.is_overdue(today)],
            "sections": sections,
            "population": project.population_table(),
            "today": today,
            **_risk_analysis(project),
        }


def project_report_pdf(project: Project, *, language: str, generated_by: User) -> bytes:
    from .pdf import css_string, render_pdf

    report = build_project_report(project, language=language, generated_by=generated_by)
    with translation.override(language):
        header = {
            "header_left": css_string(project.code),
            "header_right": css_string(_("Protection mainstreaming progress report")),
            "footer_left": css_string(
                _("Generated on %(date)s")
                % {
                    "date": formats.date_format(
                        timezone.localtime(report["generated_at"]), "DATETIME_FORMAT"
                    )
                }
            ),
        }
    return render_pdf("reports/project.html", {**report, **header}, language=language)
