"""The action points of a project, and marking one done."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projects import permissions

from .. import workflow
from ..forms import ActionPointDoneForm

ACTION_POINT_VIEWS = ["open", "overdue", "done", "all"]


def action_point_list(request, project_pk, done_form=None, status=200):
    project = permissions.get_project_for_user(request.user, project_pk)
    today = timezone.localdate()
    view = request.GET.get("view", "open")
    if view not in ACTION_POINT_VIEWS:
        view = "open"
    action_points = project.action_points.current().select_related(
        "owner", "answer__item", "answer__checklist__phase"
    )
    if view == "open":
        action_points = action_points.open()
    elif view == "overdue":
        action_points = action_points.overdue(today)
    elif view == "done":
        action_points = action_points.filter(done_on__isnull=False)
    rows = [
        {
            "action_point": ap,
            "overdue": ap.is_overdue(today),
            "can_mark_done": ap.done_on is None
            and permissions.can_mark_action_point_done(request.user, ap),
            "form": done_form
            if done_form is not None and done_form.instance.pk == ap.pk
            else ActionPointDoneForm(instance=ap, initial={"done_on": today}, prefix=f"ap{ap.pk}"),
        }
        for ap in action_points
    ]
    counts = {
        "open": project.action_points.open().count(),
        "overdue": project.action_points.overdue(today).count(),
    }
    return render(
        request,
        "checklists/action_points.html",
        {
            "project": project,
            "rows": rows,
            "view": view,
            "views": ACTION_POINT_VIEWS,
            "counts": counts,
        },
        status=status,
    )


@require_POST
def action_point_done(request, pk):
    action_point = permissions.get_action_point_for_user(request.user, pk)
    permissions.require(permissions.can_mark_action_point_done(request.user, action_point))
    form = ActionPointDoneForm(request.POST, instance=action_point, prefix=f"ap{action_point.pk}")
    if not form.is_valid():
        return action_point_list(request, action_point.project_id, done_form=form, status=400)
    try:
        workflow.mark_action_point_done(
            action_point=action_point,
            user=request.user,
            done_on=form.cleaned_data["done_on"],
            note=form.cleaned_data["done_note"],
        )
    except workflow.WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Action point marked as done."))
    return redirect("checklists:action-points", project_pk=action_point.project_id)
