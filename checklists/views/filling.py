"""Starting and filling a checklist: the page, the no-JavaScript save, and autosave."""

import hashlib
from urllib.parse import urlencode

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from projects import permissions, sessions
from projects.templatetags.people import display_name

from .. import scoring, workflow
from ..forms import AnswerForm, Owners
from ..models import GAP_RESPONSES, Answer, GoodPractice, Principle, ReviewComment
from . import item_html, page_cache, rows


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


# Words the autosave script shows, translated here (the script has no catalogue of its own).
SCRIPT_TEXT = {
    "saving": gettext_lazy("Saving…"),
    "saved": gettext_lazy("Saved: %(time)s"),
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
    "waiting": gettext_lazy("Waiting to be sent: kept on this device."),
    "notSentYet": gettext_lazy("Not sent yet (%(reason)s): kept on this device."),
    "offlineOne": gettext_lazy("Offline: %(count)s answer waiting"),
    "offlineMany": gettext_lazy("Offline: %(count)s answers waiting"),
    "waitingOne": gettext_lazy("%(count)s answer waiting to be sent"),
    "waitingMany": gettext_lazy("%(count)s answers waiting to be sent"),
    "submitNeedsConnection": gettext_lazy(
        "Submitting for review needs a connection. Your answers are kept on this device; "
        "submit when the connection is back."
    ),
    "submitWaiting": gettext_lazy(
        "Some answers are not sent yet. Wait until every answer says it is saved, then submit."
    ),
    "keptOffline": gettext_lazy(
        "You are offline. Your answers are kept on this device and will be sent when the "
        "connection returns."
    ),
    "allSaved": gettext_lazy("Every answer is saved."),
    "chooseFile": gettext_lazy("Choose a file to upload."),
    "uploading": gettext_lazy("Uploading…"),
    "uploadNeedsConnection": gettext_lazy(
        "Uploading a file needs a connection. Try again when you are back online."
    ),
}

FILTERS = {
    "unanswered": lambda answer: not answer.response,
    "critical": lambda answer: answer.item.critical,
}


def _reviews(checklist) -> list:
    """The checklist's review decisions, for the page's header (read only when reviewed)."""
    if checklist.submitted_at is None:
        return []  # never submitted, so never reviewed
    return list(checklist.reviews.select_related("reviewer"))


def _remarks(reviews) -> dict[int, list]:
    """The reviews' comments on items, by answer: read only when the items are rendered."""
    by_pk = {review.pk: review for review in reviews}
    remarks: dict[int, list] = {}
    if by_pk:
        for comment in ReviewComment.objects.filter(review_id__in=by_pk):
            comment.review = by_pk[comment.review_id]
            remarks.setdefault(comment.answer_id, []).append(comment)
    return remarks


def _filters(request) -> dict:
    show = request.GET.get("show", "")
    return {
        "show": show if show in FILTERS else "",
        "principle_code": request.GET.get("principle", ""),
    }


def _write_items(groups, owner_choices, checklist) -> dict:
    """Each principle's editable items as one string (the template prints it as it is);
    returns the blocks the page's script adds to an item."""
    labels = item_html.page_labels(
        owner_choices, checklist_pk=checklist.pk, project_pk=checklist.project_id
    )
    for group in groups:
        group["html"] = mark_safe(  # noqa: S308 - editable_item escapes what it prints
            "".join(item_html.editable_item(row, labels) for row in group["rows"])
        )
    return item_html.block_templates(labels)


def _layout_context(
    checklist, *, editable, filters, owner_choices, reviews, forms, conflicts, blockers
):
    """Everything the items, progress and scores of the page need, read from the database."""
    principles = list(Principle.objects.all())
    answers = rows.in_page_order(
        checklist.answers.for_page(framework_id=checklist.framework_id), principles
    )
    scores = scoring.score_answers(answers)
    practices: dict[int, list] = {}
    for practice in GoodPractice.objects.all():
        practices.setdefault(practice.principle_id, []).append(practice)
    all_rows = rows.item_rows(
        answers,
        forms=forms,
        conflicts=conflicts,
        blockers=blockers,
        remarks=_remarks(reviews),
        evidence=rows.evidence_by_answer(checklist),
    )
    shown = all_rows
    if filters["show"]:
        shown = [row for row in all_rows if FILTERS[filters["show"]](row["answer"])]
    groups = rows.by_principle(shown, principles, scores, practices=practices)
    if filters["principle_code"]:
        groups = [g for g in groups if g["principle"].code == filters["principle_code"]]
    overall = scores.overall.counts if scores.overall else scoring.Counts()
    office_score = scoring.office_score(answers)  # the office's own items, scored apart
    if office_score is not None:
        overall = overall + office_score.counts
    blocks = _write_items(groups, owner_choices, checklist) if editable else None
    return {
        "checklist": checklist,
        "editable": editable,
        "groups": groups,
        "scores": scores,
        "office_score": office_score,
        "principle_scores": rows.by_principle([], principles, scores),
        "answered": overall.answered,
        "total": overall.total,
        "next_unanswered": next((r["code"] for r in all_rows if r["state"] == "unanswered"), ""),
        "next_blocking": next((r["code"] for r in all_rows if r["state"] == "blocking"), ""),
        **filters,
        "query_string": urlencode(
            {
                k: v
                for k, v in (("show", filters["show"]), ("principle", filters["principle_code"]))
                if v
            }
        ),
        "principles": principles,
        "script_text": SCRIPT_TEXT,
        # The rules of "ready to submit" the page's script applies before the server does.
        "na_min_words": workflow.CRITICAL_REASON_MIN_WORDS,
        "gap_responses": " ".join(GAP_RESPONSES),
        "owner_choices": owner_choices,
        "item_blocks": blocks,
        "invalid_rows": [r for r in all_rows if r["errors"] or r["conflict"]],
    }


def _layout_key(checklist, editable: bool, may_open_personal: bool, owner_choices) -> str:
    """Where a checklist's items are kept rendered: its revision, and what differs between
    readers (editing or reading, links to files with personal data, the owners offered)."""
    # The people action points may name are part of the items (their choices).
    owners_digest = hashlib.sha256(repr(owner_choices).encode()).hexdigest()[:16]
    return page_cache.key(
        f"checklist-{checklist.pk}-{checklist.started_at.timestamp()}",
        checklist.revision(),
        "edit" if editable else "read",
        "personal" if may_open_personal else "no-personal",
        owners_digest,
    )


def render_checklist(request, checklist, *, forms=None, blockers=(), conflicts=None, status=200):
    """The checklist page: items by principle, with live scores, for editing or reading.

    Its items, progress and scores are kept rendered under the checklist's revision
    (views/page_cache.py), except on a page that shows what the user posted (errors,
    conflicts, a refused submission) or a filter, which is always rendered afresh.
    """
    editable = permissions.can_edit_checklist(request.user, checklist)
    reviews = _reviews(checklist)
    owners = Owners(checklist.project) if editable else None
    owner_choices = [(str(pk), name) for pk, name in owners.names.items()] if owners else []
    filters = _filters(request)
    # Files with personal data are links only for the office's staff and focal points.
    may_open_personal = permissions.may_open_personal_evidence(request.user, checklist.project)

    def layout_context():
        return {
            **_layout_context(
                checklist,
                editable=editable,
                filters=filters,
                owner_choices=owner_choices,
                reviews=reviews,
                forms=forms,
                conflicts=conflicts,
                blockers=blockers,
            ),
            "may_open_personal_evidence": may_open_personal,
        }

    invalid_rows = []
    if forms or conflicts or blockers or filters["show"] or filters["principle_code"]:
        context = layout_context()
        invalid_rows = context["invalid_rows"]
        layout = render_to_string("checklists/checklist_layout.html", context)
    else:
        layout = page_cache.kept(
            _layout_key(checklist, editable, may_open_personal, owner_choices),
            lambda: render_to_string("checklists/checklist_layout.html", layout_context()),
        )
    context = {
        "checklist": checklist,
        "project": checklist.project,
        "editable": editable,
        "layout": layout,
        "blockers": blockers,
        "invalid_rows": invalid_rows,
        "past_reviews": reviews,
        "can_review": permissions.may_decide_on(request.user, checklist),
    }
    return render(request, "checklists/checklist.html", context, status=status)


def checklist_detail(request, pk):
    checklist = permissions.get_checklist_for_user(request.user, pk)
    return render_checklist(request, checklist)


def _save(request, checklist, form: AnswerForm):
    """Save one valid answer form through the workflow, based on the version it was shown."""
    return workflow.save_answer(
        checklist=checklist,
        answer_id=form.answer.pk,
        user=request.user,
        values=form.to_input(),
        based_on_version=form.cleaned_data["version"],
    )


def _save_posted_answers(request, checklist, owners):
    """Save each answer the page posted; returns the forms and the conflicts by answer id."""
    forms, conflicts = {}, {}
    for answer in checklist.answers.for_page(framework_id=checklist.framework_id):
        if f"a{answer.pk}-version" not in request.POST:
            continue  # not on the page (filtered out)
        form = AnswerForm(request.POST, answer=answer, owners=owners)
        forms[answer.pk] = form
        if not form.is_valid() or not form.changes_anything():
            continue
        try:
            _save(request, checklist, form)
        except workflow.StaleAnswer as stale:
            conflicts[answer.pk] = conflict_details(stale.answer)
            # Keep what the user typed; the form now carries the latest version, so saving
            # again means "keep mine".
            data = form.data.copy()
            data[f"a{answer.pk}-version"] = stale.answer.version
            forms[answer.pk] = AnswerForm(data, answer=answer, owners=owners)
            forms[answer.pk].is_valid()
    return forms, conflicts


@require_POST
def checklist_save(request, pk):
    """The no-JavaScript path: save every posted answer, then submit if asked."""
    checklist = permissions.get_checklist_to_change(request.user, pk)
    if sessions.typed_by_someone_else(request):
        messages.error(request, sessions.TYPED_BY_SOMEONE_ELSE)
        return redirect("checklists:detail", pk=checklist.pk)
    try:
        forms, conflicts = _save_posted_answers(request, checklist, Owners(checklist.project))
    except workflow.WorkflowError as error:
        messages.error(request, error.message)
        return redirect("checklists:detail", pk=checklist.pk)
    if conflicts or any(form.errors for form in forms.values()):
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


def conflict_details(answer) -> dict:
    """Someone else's newer answer, as the page shows it beside the user's own."""
    action = answer.current_action_point
    who = answer.updated_by
    return {
        "version": answer.version,
        "who": display_name(who) if who else "",
        "when": answer.updated_at,
        "response": answer.get_response_display() if answer.response else _("Not answered"),
        "comment": answer.comment,
        "not_applicable_reason": answer.not_applicable_reason,
        "action_description": action.description if action else "",
        "action_owner": display_name(action.owner) if action and action.owner else "",
        "action_due": action.due_date if action else None,
        # Raw values, so the page can put "their" answer back in the fields.
        "values": workflow.AnswerValues.of(answer).for_page(),
    }


def scores_payload(saved, checklist_id: int, has_office_items: bool = True) -> dict | None:
    """Progress and scores for the autosave reply (None when they did not change). The
    office's own items count in the progress and have their own score ("office-items"),
    apart from the framework's (the tallies)."""
    office_item = saved.changed and scoring.is_office_item(saved.answer.item)
    if saved.counts_by_code is None and not office_item:
        return None
    counts_by_code = saved.counts_by_code
    if counts_by_code is None:  # an office item: the framework's counts did not move
        counts_by_code = scoring.counts_by_code(checklist_id)
    scores = scoring.scores_from_counts(counts_by_code)
    office = scoring.office_score_of(checklist_id) if has_office_items else None

    def as_json(score):
        return {"percent": score.percent, "rating": score.rating, "label": str(score.rating_label)}

    overall = scores.overall.counts + (office.counts if office else scoring.Counts())
    principles = {code: as_json(s) for code, s in scores.by_principle.items()}
    if office is not None:
        principles["office-items"] = as_json(office)
    return {
        "answered": overall.answered,
        "total": overall.total,
        "overall": as_json(scores.overall),
        "principles": principles,
    }


@require_POST
def answer_save(request, pk, answer_pk):
    """Autosave of one answer (JavaScript). Answers JSON; refuses bad input with a 4xx."""
    checklist = permissions.get_checklist_to_change(request.user, pk)
    if sessions.typed_by_someone_else(request):
        message = str(sessions.TYPED_BY_SOMEONE_ELSE)
        return JsonResponse({"status": "someone_else", "message": message}, status=409)
    # The workflow reads and locks the answer; the form needs only its id.
    form = AnswerForm(request.POST, answer=Answer(pk=answer_pk), owners=Owners(checklist.project))
    if not form.is_valid():
        errors = {field: [str(e) for e in errs] for field, errs in form.errors.items()}
        first = next(iter(errors.values()))[0]
        return JsonResponse({"status": "invalid", "message": first, "errors": errors}, status=400)
    try:
        saved = _save(request, checklist, form)
    except workflow.StaleAnswer as stale:
        details = conflict_details(stale.answer)
        message = _(
            "%(who)s changed this answer while you were editing it. Their answer: "
            "%(response)s. Choose which one to keep."
        ) % {"who": details["who"] or _("Someone"), "response": details["response"]}
        payload = {**details, "when": details["when"].isoformat() if details["when"] else None}
        payload["action_due"] = details["values"]["action_due"]
        # The newer version is the person's own (a save whose reply never came, a page left
        # while it was on its way): the page sends theirs again, on that version, unasked.
        payload["yours"] = stale.answer.updated_by_id == request.user.pk
        return JsonResponse({"status": "conflict", "message": message, **payload}, status=409)
    except workflow.RefusedResponse as error:
        errors = {"response": [error.message]}
        return JsonResponse(
            {"status": "invalid", "message": error.message, "errors": errors}, status=400
        )
    except workflow.WorkflowError as error:
        return JsonResponse({"status": "locked", "message": error.message}, status=409)
    except Answer.DoesNotExist:
        message = _("This item is not part of this checklist. Reload the page.")
        return JsonResponse({"status": "invalid", "message": message}, status=404)
    return JsonResponse(
        {
            "status": "saved" if saved.changed else "unchanged",
            "version": saved.answer.version,
            "saved_at": rows.when(saved.answer.updated_at) if saved.answer.updated_at else None,
            "progress": scores_payload(saved, checklist.pk, checklist.has_office_items),
        }
    )
