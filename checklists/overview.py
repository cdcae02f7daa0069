"""What a project page shows of its checklists and action points."""

from django.utils import timezone
from django.utils.translation import gettext as _

from projects import permissions

from . import scoring, workflow
from .models import ActionPoint, Checklist, ChecklistStatus, Phase, Principle
from .reports.charts import bar_chart
from .reports.project import checklist_label


def checklist_overview(user, project) -> dict:
    """Each phase with its checklists, scores and ratings; action point counts.

    A fixed number of queries whatever the number of checklists.
    """
    checklists = list(
        project.checklists.select_related("phase", "submitted_by").order_by("phase__order", "round")
    )
    scores = scoring.scores_for_checklists([c.pk for c in checklists])
    principles = list(Principle.objects.all())
    may_review = permissions.has_role(user, project.office_id, permissions.Role.FOCAL_POINT)
    phases = []
    for phase in Phase.objects.all():
        rows = []
        for checklist in checklists:
            if checklist.phase_id != phase.pk:
                continue
            checklist_scores = scores.get(checklist.pk) or scoring.ChecklistScores()
            rows.append(
                {
                    "checklist": checklist,
                    "review_link": checklist.status == ChecklistStatus.SUBMITTED and may_review,
                    "principle_scores": [
                        checklist_scores.by_principle.get(p.pk) for p in principles
                    ],
                    "overall": checklist_scores.overall,
                }
            )
        phases.append(
            {"phase": phase, "rows": rows, "is_current": phase.pk == project.current_phase_id}
        )
    rows = [row for entry in phases for row in entry["rows"]]
    chart = (
        bar_chart(
            [
                (
                    checklist_label(row["checklist"]),
                    [s.percent if s else None for s in row["principle_scores"]],
                )
                for row in rows
            ],
            [p.name for p in principles],
            title=_("Score per principle for each checklist"),
            description=_(
                "Bars show each principle's score in percent; the table gives the same figures."
            ),
        )
        if rows
        else None
    )
    today = timezone.localdate()
    current = [c for c in checklists if c.phase_id == project.current_phase_id]
    can_start = permissions.can_start_checklist(user, project) and not workflow.start_refusal(
        phase=project.current_phase, existing=current
    )
    return {
        "phases": phases,
        "chart": chart,
        "principles": principles,
        "can_start_checklist": can_start,
        "can_move_to_evaluation": project.current_phase.code == "implementation"
        and permissions.can_edit_project(user, project)
        and any(
            c.phase.code == "implementation" and c.status == ChecklistStatus.APPROVED
            for c in checklists
        ),
        "endorsement": workflow.endorsement_of(project),
        "open_action_points": project.action_points.open().count(),
        "overdue_action_points": project.action_points.overdue(today).count(),
    }


def pending_work(user) -> dict:
    """What waits for this user: checklists to review, returned ones, their overdue points."""
    queue = list(permissions.review_queue(user))
    scores = scoring.scores_for_checklists([c.pk for c in queue])
    principles = list(Principle.objects.all())
    to_review = []
    for checklist in queue:
        checklist_scores = scores.get(checklist.pk) or scoring.ChecklistScores()
        to_review.append(
            {
                "checklist": checklist,
                "principle_scores": [checklist_scores.by_principle.get(p.pk) for p in principles],
                "critical_gaps": checklist_scores.overall.counts.critical_gaps
                if checklist_scores.overall
                else 0,
            }
        )
    returned = (
        Checklist.objects.filter(
            status=ChecklistStatus.RETURNED,
            project__office__in=permissions.offices_with_role(user, permissions.Role.STAFF),
        )
        .select_related("project", "phase")
        .order_by("project__code")
    )
    overdue = (
        ActionPoint.objects.overdue(timezone.localdate())
        .filter(owner=user, project__in=permissions.visible_projects(user))
        .select_related("project", "answer__item")
        .order_by("due_date")
    )
    return {
        "to_review": to_review,
        "review_principles": principles,
        "returned": list(returned),
        "my_overdue": list(overdue),
    }
