"""A project's protection risk analysis: the page (rows as cards, the heat map, a form to
add a row), a row's edit page, and the two POST actions on a row. Plain forms: everything
works without JavaScript."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projects import permissions

from .. import workflow
from ..models import RISK_ANALYSIS_ITEM, RISK_LEVELS, RiskRow, risk_matrix
from ..risk_forms import RiskRowForm


def risk_rows_of(project) -> list[RiskRow]:
    """The rows of the project's risk analysis, in order, with what each card shows: one
    query whatever their number."""
    return list(
        RiskRow.objects.filter(analysis__project=project).select_related("owner", "action_point")
    )


def risk_analysis_context(project) -> dict:
    """What the read-only parts show (the page, the review page): rows and heat map."""
    rows = risk_rows_of(project)
    return {
        "risk_rows": rows,
        "risk_matrix": risk_matrix(rows),
        "risk_levels": RISK_LEVELS,
        "risk_item": RISK_ANALYSIS_ITEM,
    }


def _page(request, project, form=None, status=200):
    can_edit = permissions.can_edit_risk_analysis(request.user, project)
    context = {
        "project": project,
        "can_edit": can_edit,
        "refusal": workflow.risk_analysis_refusal(project),
        "form": form or (RiskRowForm(project=project) if can_edit else None),
        **risk_analysis_context(project),
    }
    return render(request, "checklists/risk_analysis.html", context, status=status)


def _page_url(project, anchor=""):
    url = reverse("checklists:risk-analysis", kwargs={"project_pk": project.pk})
    return f"{url}#{anchor}" if anchor else url


def risk_analysis(request, project_pk):
    """The page; a POST adds a row."""
    project = permissions.get_project_for_user(request.user, project_pk)
    if request.method != "POST":
        return _page(request, project)
    permissions.require(permissions.can_edit_risk_analysis(request.user, project))
    form = RiskRowForm(request.POST, project=project)
    if not form.is_valid():
        return _page(request, project, form=form, status=400)
    try:
        row = workflow.save_risk_row(project=project, user=request.user, values=form.values())
    except workflow.WorkflowError as error:
        messages.error(request, error.message)
        return redirect(_page_url(project))
    messages.success(request, _("Risk added."))
    return redirect(_page_url(project, f"risk-{row.pk}"))


def risk_row_edit(request, project_pk, pk):
    """A row's own page, to change it."""
    project = permissions.get_project_for_user(request.user, project_pk)
    row = permissions.get_risk_row_of_project(project, pk)
    permissions.require(permissions.can_edit_risk_analysis(request.user, project))
    form = RiskRowForm(request.POST or None, instance=row, project=project)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                workflow.save_risk_row(
                    project=project, user=request.user, values=form.values(), row=row
                )
            except workflow.WorkflowError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("Risk saved."))
            return redirect(_page_url(project, f"risk-{row.pk}"))
        status = 400
    return render(
        request,
        "checklists/risk_row.html",
        {"project": project, "row": row, "form": form},
        status=status,
    )


@require_POST
def risk_row_delete(request, project_pk, pk):
    project = permissions.get_project_for_user(request.user, project_pk)
    row = permissions.get_risk_row_of_project(project, pk)
    permissions.require(permissions.can_edit_risk_analysis(request.user, project))
    try:
        workflow.delete_risk_row(row=row, user=request.user)
    except workflow.WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Risk removed."))
    return redirect(_page_url(project, "risks-heading"))


@require_POST
def risk_row_action_point(request, project_pk, pk):
    """The row's mitigation becomes an action point of the project, in one step."""
    project = permissions.get_project_for_user(request.user, project_pk)
    row = permissions.get_risk_row_of_project(project, pk)
    permissions.require(permissions.can_edit_risk_analysis(request.user, project))
    try:
        workflow.risk_row_to_action_point(row=row, user=request.user)
    except workflow.WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The mitigation is now an action point: it is listed with the project's."),
        )
    return redirect(_page_url(project, f"risk-{row.pk}"))
