"""Review and endorsement: the focal point's review page, and the move to evaluation."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projects import permissions

from .. import scoring, workflow
from ..forms import ConditionFormSetFactory, ItemCommentsForm, Owners, ReviewForm
from ..models import Principle
from ..workflow import endorsement
from . import rows
from .risk_analysis import risk_analysis_context


def _review_context(request, checklist, answers, *, principles, forms, error=None):
    scores = scoring.score_answers(answers)
    item_comments = forms["item_comments"]
    item_rows = rows.item_rows(answers, evidence=rows.evidence_by_answer(checklist))
    for row in item_rows:
        row["comment_field"] = item_comments[f"comment_{row['pk']}"]
    refusal = workflow.decision_refusal(checklist=checklist, reviewer=request.user)
    round_reviews = endorsement.round_reviews(checklist)
    levels = endorsement.chain_of(checklist, round_reviews)
    return {
        "chain": endorsement.chain_rows(checklist, levels, round_reviews),
        "checklist": checklist,
        "project": checklist.project,
        "may_open_personal_evidence": permissions.may_open_personal_evidence(
            request.user, checklist.project
        ),
        "scores": scores,
        "office_score": scoring.office_score(answers),  # the office's own items, apart
        "groups": rows.by_principle(item_rows, principles, scores),
        "critical_gaps": [row for row in item_rows if row["critical_gap"]],
        # A critical item said not to apply is read first too, with its reason.
        "critical_not_applicable": [row for row in item_rows if row["critical_not_applicable"]],
        "review_form": forms["review_form"],
        "conditions": forms["conditions"],
        "item_comments": item_comments,
        "may_decide": refusal is None,
        "refusal": refusal,
        "own_submission": permissions.is_own_submission(request.user, checklist),
        "error": error,
        "past_reviews": list(checklist.reviews.select_related("reviewer")),
        # The project's protection risk analysis, read-only beside the answers.
        **risk_analysis_context(checklist.project),
    }


def checklist_review(request, pk):
    """The focal point's review: answers read-only, critical gaps first, comments, decision."""
    checklist = permissions.get_checklist_for_user(request.user, pk)
    permissions.require(permissions.can_review(request.user, checklist))
    owners = Owners(checklist.project)
    principles = list(Principle.objects.all())
    answers = rows.in_page_order(
        checklist.answers.for_page(framework_id=checklist.framework_id), principles
    )
    data = request.POST if request.method == "POST" else None
    forms = {
        "review_form": ReviewForm(data),
        "conditions": ConditionFormSetFactory(data, owners=owners, prefix="condition"),
        "item_comments": ItemCommentsForm(data, answers=answers),
    }
    if data is None:
        return render(
            request,
            "checklists/review.html",
            _review_context(request, checklist, answers, principles=principles, forms=forms),
        )
    error = None
    if all(form.is_valid() for form in forms.values()):
        try:
            review = workflow.decide_checklist(
                checklist=checklist,
                reviewer=request.user,
                decision=forms["review_form"].cleaned_data["decision"],
                comment=forms["review_form"].cleaned_data["comment"],
                item_comments=forms["item_comments"].comments(),
                conditions=forms["conditions"].conditions(),
            )
        except workflow.WorkflowError as refused:
            error = refused.message
        else:
            messages.success(
                request,
                _("Decision recorded: %(decision)s.") % {"decision": review.get_decision_display()},
            )
            return redirect(checklist.project)
    checklist.refresh_from_db()
    context = _review_context(
        request, checklist, answers, principles=principles, forms=forms, error=error
    )
    return render(request, "checklists/review.html", context, status=409 if error else 400)


@require_POST
def move_to_evaluation(request, project_pk):
    project = permissions.get_project_for_user(request.user, project_pk)
    permissions.require(permissions.can_edit_project(request.user, project))
    try:
        workflow.move_to_evaluation(project=project, user=request.user)
    except workflow.WorkflowError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The project is now in the evaluation phase."))
    return redirect(project)
