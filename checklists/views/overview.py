"""The home page (projects and pending work) and a project's page (its checklists by phase).

They live here, beside the checklists they summarise, so the projects app never needs the
checklists app: the dependency goes one way, from checklists to projects.
"""

from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views import generic

from projects import permissions
from projects.models import Role

from .. import scoring, workflow
from ..forms import ProjectFilterForm
from ..models import (
    ActionPoint,
    ChecklistStatus,
    Decision,
    Phase,
    Principle,
    Review,
    endorsement_among,
)
from ..reports.charts import checklist_chart
from . import page_cache


def _status_label(checklist, decision) -> str:
    """The checklist's status, saying "approved with conditions" where it was."""
    if (
        checklist.status == ChecklistStatus.APPROVED
        and decision is not None
        and decision.decision == Decision.APPROVED_WITH_CONDITIONS
    ):
        return decision.get_decision_display()
    return checklist.get_status_display()


def _checklist_rows(checklists, reviews, principles, *, reviewer) -> list[dict]:
    scores = scoring.tallied_scores([c.pk for c in checklists])
    office_scores = scoring.office_scores_for_checklists([c.pk for c in checklists])
    decisions = {review.checklist_id: review for review in reviews}  # the latest of each
    rows = []
    for checklist in checklists:
        checklist_scores = scores.get(checklist.pk) or scoring.ChecklistScores()
        rows.append(
            {
                "checklist": checklist,
                "status_label": _status_label(checklist, decisions.get(checklist.pk)),
                "review_link": checklist.status == ChecklistStatus.SUBMITTED
                and reviewer is not None
                and permissions.may_decide_on(reviewer, checklist),
                "principle_scores": [checklist_scores.by_principle.get(p.pk) for p in principles],
                "overall": checklist_scores.overall,
                "office_score": office_scores.get(checklist.pk),
            }
        )
    return rows


def checklist_overview(project, *, reviewer=None) -> dict:
    """Each phase with its checklists, scores and ratings; action point counts; whether a
    checklist may be started or the project moved on, as far as its checklists say.

    A fixed number of queries whatever the number of checklists.
    """
    checklists = list(
        project.checklists.select_related("phase", "submitted_by").order_by("phase__order", "round")
    )
    principles = list(Principle.objects.all())
    reviews = list(
        Review.objects.filter(checklist__in=checklists)
        .select_related("reviewer")
        .order_by("decided_at", "pk")
    )
    rows = _checklist_rows(checklists, reviews, principles, reviewer=reviewer)
    phases = [
        {
            "phase": phase,
            "rows": [row for row in rows if row["checklist"].phase_id == phase.pk],
            "is_current": phase.pk == project.current_phase_id,
        }
        for phase in Phase.objects.all()
    ]
    open_points, overdue_points = project.action_points.open_and_overdue(timezone.localdate())
    current = [c for c in checklists if c.phase_id == project.current_phase_id]
    return {
        "phases": phases,
        "chart": checklist_chart(rows, principles) if rows else None,
        "principles": principles,
        "office_items": any(row["office_score"] for row in rows),
        "start_refused": bool(
            workflow.start_refusal(phase=project.current_phase, existing=current)
        ),
        "evaluation_refused": bool(
            workflow.evaluation_refusal(project=project, checklists=checklists)
        ),
        "endorsement": endorsement_among(reviews, checklists),
        "open_action_points": open_points,
        "overdue_action_points": overdue_points,
    }


def project_parts(project, *, reviewer=None) -> dict:
    """The parts of a project's page that its data make (facts, endorsement, checklists,
    scores, chart, action points, population), rendered once per change: kept under the
    project's revision (its audit entries: every checklist, review and action point change
    writes one) and its last edit (views/page_cache.py)."""

    def render() -> dict:
        context = {
            "project": project,
            "population": project.population_table(),
            "sectors": list(project.sectors.all()),
            **checklist_overview(project, reviewer=reviewer),
        }
        parts = {
            name: render_to_string(f"projects/parts/{name}.html", context)
            for name in ("summary", "action_points", "checklists", "population")
        }
        return {
            **parts,
            "start_refused": context["start_refused"],
            "evaluation_refused": context["evaluation_refused"],
        }

    return page_cache.kept(
        page_cache.key(
            f"project-{project.pk}",
            project.updated_at.timestamp(),
            project.audit_entries.count(),  # a count: see Checklist.revision
            # A reviewer's links leave out their own submissions: kept for each reviewer.
            f"review-{reviewer.pk}" if reviewer is not None else "read",
        ),
        render,
    )


def pending_work(user) -> dict:
    """What waits for this user: checklists to review, returned ones, their overdue points."""
    queue = list(permissions.review_queue(user))
    scores = scoring.tallied_scores([c.pk for c in queue])
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
    returned = permissions.checklists_to_revise(user)
    overdue = (
        ActionPoint.objects.overdue(timezone.localdate())
        .filter(owner=user, project__in=permissions.visible_projects(user))
        .select_related("project", "answer__item")
        .order_by("due_date")
    )
    return {
        "to_review": to_review,
        "review_principles": principles,
        "may_name_acting": Role.FOCAL_POINT in permissions.roles_in_scope(user),
        "returned": list(returned),
        "my_overdue": list(overdue),
    }


class HomeView(generic.ListView):
    """The projects the user may see, filtered, with what waits for them."""

    template_name = "projects/project_list.html"
    context_object_name = "projects"
    paginate_by = 25

    def get(self, request, *args, **kwargs):
        if not permissions.has_any_role(request.user):
            # Signed in (an organisation account on its first day, say), but no office yet.
            return render(request, "projects/waiting_for_access.html")
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        self.filter_form = ProjectFilterForm(self.request.GET or None, user=self.request.user)
        projects = permissions.visible_projects(self.request.user)
        return (
            self.filter_form.filter(projects)
            .select_related("office", "current_phase")
            .prefetch_related("sectors")
            .order_by("-updated_at", "code")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter_form"] = self.filter_form
        context.update(pending_work(self.request.user))
        context["can_create_project"] = permissions.can_create_project(self.request.user)
        return context


class ProjectDetailView(generic.DetailView):
    """A project: its details, target population, checklists by phase and endorsement."""

    template_name = "projects/project_detail.html"
    context_object_name = "project"

    def get_object(self, queryset=None):
        return permissions.get_project_for_user(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        project, user = self.object, self.request.user
        reviewer = user if permissions.can_review_in(user, project) else None
        parts = project_parts(project, reviewer=reviewer)
        context["parts"] = parts
        context["can_edit"] = permissions.can_edit_project(user, project)
        context["can_read_access_log"] = permissions.can_read_access_log(user, project)
        context["can_start_checklist"] = (
            permissions.can_start_checklist(user, project) and not parts["start_refused"]
        )
        context["can_move_to_evaluation"] = context["can_edit"] and not parts["evaluation_refused"]
        return context
