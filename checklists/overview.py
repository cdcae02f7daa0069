"""What a project page shows of its checklists and action points."""

from django.utils import timezone

from projects import permissions

from . import scoring, workflow
from .models import Phase, Principle


def checklist_overview(user, project) -> dict:
    """Each phase with its checklists, scores and ratings; action point counts.

    A fixed number of queries whatever the number of checklists.
    """
    checklists = list(
        project.checklists.select_related("phase", "submitted_by").order_by("phase__order", "round")
    )
    scores = scoring.scores_for_checklists([c.pk for c in checklists])
    principles = list(Principle.objects.all())
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
                    "principle_scores": [
                        checklist_scores.by_principle.get(p.pk) for p in principles
                    ],
                    "overall": checklist_scores.overall,
                }
            )
        phases.append(
            {"phase": phase, "rows": rows, "is_current": phase.pk == project.current_phase_id}
        )
    today = timezone.localdate()
    current = [c for c in checklists if c.phase_id == project.current_phase_id]
    can_start = permissions.can_start_checklist(user, project) and not workflow.start_refusal(
        phase=project.current_phase, existing=current
    )
    return {
        "phases": phases,
        "principles": principles,
        "can_start_checklist": can_start,
        "open_action_points": project.action_points.open().count(),
        "overdue_action_points": project.action_points.overdue(today).count(),
    }
