from django.contrib import messages
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import generic
from django.views.decorators.http import require_POST

from projects import permissions
from projects.templatetags.people import display_name

from . import history, scoring, workflow
from .forms import (
    ActionPointDoneForm,
    AnswerForm,
    ConditionFormSetFactory,
    ItemCommentsForm,
    ReviewForm,
)
from .models import ChecklistStatus, GoodPractice, Phase, Principle, Response, ReviewComment


class GuidanceView(generic.TemplateView):
    """What protection mainstreaming is, each principle in practice, and good practices."""

    template_name = "checklists/guidance.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        principles = list(Principle.objects.all())
        selected = self.request.GET.get("principle", "")
        good_practices = GoodPractice.objects.select_related("principle")
        if selected in {p.code for p in principles}:
            good_practices = good_practices.filter(principle__code=selected)
        else:
            selected = ""
        context.update(
            principles=principles,
            phases=list(Phase.objects.all()),
            good_practices=list(good_practices),
            selected_principle=selected,
        )
        return context


# --- Starting and filling a checklist ---------------------------------------------------


@require_POST
def start_checklist(request, project_pk):
    project = permissions.get_project_for_user(request.user, project_pk)
    permissions.require(permissions.can_start_checklist(request.user, project))
    try:
        checklist = workflow.start_checklist(project=project, user=request.user)
    except workflow.WorkflowError as error:
        messages.error(request, error.message)
        return redirect(project)
    messages.success(request, _("Checklist started. Your answers save as you go."))
    return redirect("checklists:detail", pk=checklist.pk)


def _owners(checklist):
    users = list(permissions.action_point_owners(checklist.project))
    return {user.pk: user for user in users}


def _names(users: dict) -> dict:
    return {pk: display_name(user) for pk, user in users.items()}


def _answers(checklist):
    return list(
        checklist.answers.select_related("item__principle", "action_point__owner", "updated_by")
        .prefetch_related("item__topics")
        .order_by("item__principle__order", "item__order", "item__code")
    )


# Words the autosave script shows, translated here (the script has no catalogue of its own).
SCRIPT_TEXT = {
    "saving": gettext_lazy("Saving…"),
    "saved": gettext_lazy("Saved at %(time)s."),
    "notSavedYet": gettext_lazy("Not saved yet: still typing."),
    "retrying": gettext_lazy("Not saved, retrying in %(seconds)s seconds (%(reason)s)."),
    "failed": gettext_lazy("Could not save: %(reason)s"),
    "offline": gettext_lazy("no connection"),
    "serverError": gettext_lazy("the server had a problem"),
    "sessionEnded": gettext_lazy(
        "your session has ended. Log in again in another tab, then change the answer again."
    ),
    "keepMine": gettext_lazy("Keep my answer"),
    "useTheirs": gettext_lazy("Use their answer"),
    "tookTheirs": gettext_lazy("Their answer is now shown. Nothing else to do."),
    "progress": gettext_lazy("%(answered)s of %(total)s items answered"),
}

FILTERS = {
    "unanswered": lambda answer: not answer.response,
    "critical": lambda answer: answer.item.critical,
}


def render_checklist(request, checklist, *, forms=None, blockers=(), conflicts=None, status=200):
    """The checklist page: items by principle, with live scores, for editing or reading."""
    editable = permissions.can_edit_checklist(request.user, checklist)
    answers = _answers(checklist)
    scores = scoring.score_answers(answers)
    owners = _owners(checklist) if editable else {}
    owner_names = _names(owners)
    show = request.GET.get("show", "")
    principle_code = request.GET.get("principle", "")
    principles = list(Principle.objects.all())
    practices = {}
    for practice in GoodPractice.objects.all():
        practices.setdefault(practice.principle_id, []).append(practice)
    review_comments = {}
    for comment in ReviewComment.objects.filter(answer__checklist=checklist).select_related(
        "review__reviewer"
    ):
        review_comments.setdefault(comment.answer_id, []).append(comment)
    forms = forms or {}
    conflicts = conflicts or {}
    blocked = {blocker.answer.pk: blocker.message for blocker in blockers}
    groups = []
    for principle in principles:
        rows = []
        for answer in answers:
            if answer.item.principle_id != principle.pk:
                continue
            if show in FILTERS and not FILTERS[show](answer):
                continue
            if principle_code and principle.code != principle_code:
                continue
            form = None
            if editable:
                form = forms.get(answer.pk) or AnswerForm(answer=answer, owners=owner_names)
            rows.append(
                {
                    "answer": answer,
                    "form": form,
                    "values": form.display_values() if form else None,
                    "conflict": conflicts.get(answer.pk),
                    "blocker": blocked.get(answer.pk),
                    "critical_gap": answer.item.critical and answer.response == Response.NO,
                    "review_comments": review_comments.get(answer.pk, []),
                }
            )
        groups.append(
            {
                "principle": principle,
                "rows": rows,
                "score": scores.by_principle.get(principle.pk),
                "good_practices": practices.get(principle.pk, []),
            }
        )
    overall = scores.overall.counts if scores.overall else scoring.Counts()
    context = {
        "checklist": checklist,
        "project": checklist.project,
        "editable": editable,
        "groups": groups,
        "scores": scores,
        "answered": overall.answered,
        "total": overall.total,
        "percent_answered": round(100 * overall.answered / overall.total) if overall.total else 0,
        "show": show,
        "principle_code": principle_code,
        "principles": principles,
        "blockers": blockers,
        "conflicts": conflicts,
        "invalid_forms": [form for form in forms.values() if form.errors],
        "query_string": request.GET.urlencode(),
        "script_text": SCRIPT_TEXT,
        "response_choices": Response.choices,
        "past_reviews": list(checklist.reviews.select_related("reviewer")),
        "can_review": permissions.can_review(request.user, checklist),
        "owner_choices": [(str(pk), name) for pk, name in owner_names.items()],
    }
    return render(request, "checklists/checklist.html", context, status=status)


def checklist_detail(request, pk):
    checklist = permissions.get_checklist_for_user(request.user, pk)
    return render_checklist(request, checklist)


@require_POST
def checklist_save(request, pk):
    """The no-JavaScript path: save every posted answer, then submit if asked."""
    checklist = permissions.get_checklist_for_user(request.user, pk)
    if not checklist.is_editable:
        messages.error(request, _("This checklist is submitted and can no longer be changed."))
        return redirect("checklists:detail", pk=checklist.pk)
    permissions.require(permissions.can_edit_checklist(request.user, checklist))
    owners = _owners(checklist)
    owner_names = _names(owners)
    forms, conflicts = {}, {}
    for answer in _answers(checklist):
        if f"a{answer.pk}-version" not in request.POST:
            continue  # not on the page (filtered out)
        form = AnswerForm(request.POST, answer=answer, owners=owner_names)
        forms[answer.pk] = form
        if not form.is_valid() or not form.changes_anything(owners):
            continue
        try:
            workflow.save_answer(
                checklist=checklist,
                answer_id=answer.pk,
                user=request.user,
                values=form.to_input(owners),
                based_on_version=form.cleaned_data["version"],
            )
        except workflow.StaleAnswer as stale:
            conflicts[answer.pk] = _conflict_details(stale.answer)
        except workflow.WorkflowError as error:
            messages.error(request, error.message)
            return redirect("checklists:detail", pk=checklist.pk)
    if conflicts or any(form.errors for form in forms.values()):
        # Keep what the user typed; a conflict's form now carries the latest version, so
        # saving again means "keep mine".
        for answer_pk, conflict in conflicts.items():
            data = forms[answer_pk].data.copy()
            data[f"a{answer_pk}-version"] = conflict["version"]
            forms[answer_pk] = AnswerForm(data, answer=forms[answer_pk].answer, owners=owner_names)
            forms[answer_pk].is_valid()
        return render_checklist(request, checklist, forms=forms, conflicts=conflicts, status=400)
    if request.POST.get("action") == "submit":
        try:
            workflow.submit_checklist(checklist=checklist, user=request.user)
        except workflow.SubmissionBlocked as blocked:
            return render_checklist(request, checklist, blockers=blocked.blockers, status=400)
        except workflow.WorkflowError as error:
            messages.error(request, error.message)
            return redirect("checklists:detail", pk=checklist.pk)
        messages.success(request, _("Checklist submitted for review."))
        return redirect(checklist.project)
    messages.success(request, _("Your answers are saved."))
    url = reverse("checklists:detail", kwargs={"pk": checklist.pk})
    return redirect(f"{url}?{request.GET.urlencode()}" if request.GET else url)


def _conflict_details(answer) -> dict:
    action = getattr(answer, "action_point", None)
    current = action if action is not None and action.withdrawn_on is None else None
    who = answer.updated_by
    return {
        "version": answer.version,
        "who": display_name(who) if who else "",
        "when": answer.updated_at,
        "response": answer.get_response_display() if answer.response else _("Not answered"),
        "comment": answer.comment,
        "not_applicable_reason": answer.not_applicable_reason,
        "action_description": current.description if current else "",
        "action_owner": display_name(current.owner) if current and current.owner else "",
        "action_due": current.due_date if current else None,
        # Raw values, so the page can put "their" answer back in the fields.
        "values": {
            "response": answer.response,
            "comment": answer.comment,
            "not_applicable_reason": answer.not_applicable_reason,
            "action_description": current.description if current else "",
            "action_owner": current.owner_id if current and current.owner_id else "",
            "action_due": current.due_date.isoformat() if current and current.due_date else "",
        },
    }


def _scores_payload(checklist) -> dict:
    scores = scoring.scores_for_checklists([checklist.pk]).get(checklist.pk)
    principles = {p.pk: p.code for p in Principle.objects.all()}
    if scores is None:
        return {"answered": 0, "total": 0, "principles": {}}

    def as_json(score):
        return {
            "percent": score.percent,
            "rating": score.rating,
            "label": str(score.rating_label),
        }

    return {
        "answered": scores.overall.counts.answered,
        "total": scores.overall.counts.total,
        "overall": as_json(scores.overall),
        "principles": {principles[pid]: as_json(s) for pid, s in scores.by_principle.items()},
    }


@require_POST
def answer_save(request, pk, answer_pk):
    """Autosave of one answer (JavaScript). Answers JSON; refuses bad input with a 4xx."""
    checklist = permissions.get_checklist_for_user(request.user, pk)
    permissions.require(
        permissions.has_role(request.user, checklist.project.office_id, permissions.Role.STAFF)
    )
    if not permissions.can_edit_checklist(request.user, checklist):
        message = _("This checklist is %(status)s and can no longer be changed.") % {
            "status": checklist.get_status_display().lower()
        }
        return JsonResponse({"status": "locked", "message": message}, status=409)
    answer = (
        checklist.answers.select_related("item", "action_point__owner", "updated_by")
        .filter(pk=answer_pk)
        .first()
    )
    if answer is None:
        message = _("This item is not part of this checklist. Reload the page.")
        return JsonResponse({"status": "invalid", "message": message}, status=404)
    owners = _owners(checklist)
    owner_names = _names(owners)
    form = AnswerForm(request.POST, answer=answer, owners=owner_names)
    if not form.is_valid():
        errors = {field: [str(e) for e in errs] for field, errs in form.errors.items()}
        first = next(iter(errors.values()))[0]
        return JsonResponse({"status": "invalid", "message": first, "errors": errors}, status=400)
    try:
        answer, changed = workflow.save_answer(
            checklist=checklist,
            answer_id=answer.pk,
            user=request.user,
            values=form.to_input(owners),
            based_on_version=form.cleaned_data["version"],
        )
    except workflow.StaleAnswer as stale:
        details = _conflict_details(stale.answer)
        message = _(
            "%(who)s changed this answer while you were editing it. Their answer: "
            "%(response)s. Choose which one to keep."
        ) % {"who": details["who"] or _("Someone"), "response": details["response"]}
        payload = {**details, "when": details["when"].isoformat() if details["when"] else None}
        payload["action_due"] = details["values"]["action_due"]
        return JsonResponse({"status": "conflict", "message": message, **payload}, status=409)
    except workflow.WorkflowError as error:
        return JsonResponse({"status": "locked", "message": error.message}, status=409)
    return JsonResponse(
        {
            "status": "saved" if changed else "unchanged",
            "version": answer.version,
            "progress": _scores_payload(checklist),
        }
    )


# --- Action points ---------------------------------------------------------------------

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


# --- Review and endorsement ------------------------------------------------------------


def _review_context(request, checklist, *, review_form, conditions, item_comments, error=None):
    answers = _answers(checklist)
    scores = scoring.score_answers(answers)
    principles = list(Principle.objects.all())
    comment_fields = {
        answer.pk: (item_comments[f"comment_{answer.pk}"] if item_comments else None)
        for answer in answers
    }
    critical_gaps = [
        {"answer": a, "critical_gap": True, "comment_field": comment_fields[a.pk]}
        for a in answers
        if a.item.critical and a.response == Response.NO
    ]
    groups = [
        {
            "principle": principle,
            "score": scores.by_principle.get(principle.pk),
            "rows": [
                {
                    "answer": a,
                    "critical_gap": a.item.critical and a.response == Response.NO,
                    "comment_field": comment_fields[a.pk],
                }
                for a in answers
                if a.item.principle_id == principle.pk
            ],
        }
        for principle in principles
    ]
    reviewer_may_decide = (
        checklist.status == ChecklistStatus.SUBMITTED
        and checklist.submitted_by_id != request.user.pk
    )
    return {
        "checklist": checklist,
        "project": checklist.project,
        "scores": scores,
        "groups": groups,
        "critical_gaps": critical_gaps,
        "review_form": review_form,
        "conditions": conditions,
        "item_comments": item_comments,
        "may_decide": reviewer_may_decide,
        "own_submission": checklist.submitted_by_id == request.user.pk,
        "error": error,
        "past_reviews": list(checklist.reviews.select_related("reviewer")),
    }


def checklist_review(request, pk):
    """The focal point's review: answers read-only, critical gaps first, comments, decision."""
    checklist = permissions.get_checklist_for_user(request.user, pk)
    permissions.require(permissions.can_review(request.user, checklist))
    owners = _owners(checklist)
    owner_names = _names(owners)
    answers = _answers(checklist)
    data = request.POST if request.method == "POST" else None
    review_form = ReviewForm(data)
    conditions = ConditionFormSetFactory(data, owners=owner_names, prefix="condition")
    item_comments = ItemCommentsForm(data, answers=answers)
    if request.method != "POST":
        context = _review_context(
            request,
            checklist,
            review_form=review_form,
            conditions=conditions,
            item_comments=item_comments,
        )
        return render(request, "checklists/review.html", context)

    valid = all([review_form.is_valid(), conditions.is_valid(), item_comments.is_valid()])
    error = None
    if valid:
        filled = [form.cleaned_data for form in conditions if form.cleaned_data.get("description")]
        try:
            review = workflow.decide_checklist(
                checklist=checklist,
                reviewer=request.user,
                decision=review_form.cleaned_data["decision"],
                comment=review_form.cleaned_data["comment"],
                item_comments=item_comments.comments(),
                conditions=[
                    workflow.Condition(
                        description=c["description"],
                        owner=owners[c["owner"]],
                        due_date=c["due_date"],
                    )
                    for c in filled
                ],
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
        request,
        checklist,
        review_form=review_form,
        conditions=conditions,
        item_comments=item_comments,
        error=error,
    )
    return render(request, "checklists/review.html", context, status=409 if error else 400)


def _history(request, *, project, entries, title, checklist=None):
    entries = entries.select_related("actor", "answer__item", "checklist__phase").order_by(
        "-created_at", "-pk"
    )
    paginator = Paginator(entries, 50)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "project": project,
        "checklist": checklist,
        "title": title,
        "rows": history.describe(page.object_list),
        "page_obj": page,
        "paginator": paginator,
        "is_paginated": page.has_other_pages(),
    }
    return render(request, "checklists/history.html", context)


def project_history(request, project_pk):
    project = permissions.get_project_for_user(request.user, project_pk)
    title = _("History of %(code)s") % {"code": project.code}
    return _history(request, project=project, entries=project.audit_entries.all(), title=title)


def checklist_history(request, pk):
    checklist = permissions.get_checklist_for_user(request.user, pk)
    title = _("History of the %(phase)s checklist of %(code)s") % {
        "phase": checklist.phase.name,
        "code": checklist.project.code,
    }
    return _history(
        request,
        project=checklist.project,
        entries=checklist.audit_entries.all(),
        title=title,
        checklist=checklist,
    )


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
