"""Evidence files on an answer: the answer's page of files (list, upload, replace, remove,
earlier versions) and the download, for whoever may see the checklist."""

from django.contrib import messages
from django.http import FileResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from projects import permissions
from projects.middleware import wants_json

from .. import workflow
from ..forms import EvidenceForm
from ..models import AccessKind, Answer
from ..workflow.access import record_access


def _page(request, checklist, answer, form, *, status=200):
    files = list(answer.evidence_files.select_related("uploaded_by", "withdrawn_by"))
    replaced = {file.replaces_id for file in files}
    may_open_personal = permissions.may_open_personal_evidence(request.user, checklist.project)
    for file in files:
        file.was_replaced = file.pk in replaced
        file.may_open = may_open_personal or not file.contains_personal_data
    return render(
        request,
        "checklists/evidence.html",
        {
            "checklist": checklist,
            "project": checklist.project,
            "answer": answer,
            "current": [f for f in files if f.withdrawn_at is None],
            "earlier": [f for f in files if f.withdrawn_at is not None],
            "may_change": permissions.can_edit_checklist(request.user, checklist),
            "form": form,
        },
        status=status,
    )


def answer_evidence(request, pk, answer_pk):
    """The files given as evidence for one answer; staff add, replace and remove them while
    the checklist can be edited."""
    if request.method != "POST":
        checklist = permissions.get_checklist_for_user(request.user, pk)
        answer = permissions.get_answer_of_checklist(checklist, answer_pk)
        return _page(request, checklist, answer, EvidenceForm())
    checklist = permissions.get_checklist_to_change(request.user, pk)
    answer = permissions.get_answer_of_checklist(checklist, answer_pk)
    form = EvidenceForm(request.POST, request.FILES)
    if wants_json(request):  # the checklist page's own upload, from its script
        return _upload_for_script(request, checklist, answer, form)
    if form.is_valid():
        try:
            evidence = workflow.attach_evidence(
                checklist=checklist,
                answer_id=answer.pk,
                user=request.user,
                upload=form.cleaned_data["file"],
                replaces_id=form.cleaned_data["replaces"],
                contains_personal_data=form.cleaned_data["contains_personal_data"],
            )
        except (workflow.WorkflowError, Answer.DoesNotExist) as refusal:
            form.add_error(None, getattr(refusal, "message", _("This answer is not there.")))
        else:
            messages.success(request, _("“%(name)s” is saved.") % {"name": evidence.name})
            return redirect("checklists:evidence", pk=checklist.pk, answer_pk=answer.pk)
    return _page(request, checklist, answer, form, status=400)


def _upload_for_script(request, checklist, answer, form):
    """The same upload, answered in JSON: the file's name and the item's new link text, or
    what was wrong, in the user's language."""
    if not form.is_valid():
        problems = [str(message) for errors in form.errors.values() for message in errors]
        return JsonResponse({"error": " ".join(problems)}, status=400)
    try:
        evidence = workflow.attach_evidence(
            checklist=checklist,
            answer_id=answer.pk,
            user=request.user,
            upload=form.cleaned_data["file"],
            replaces_id=form.cleaned_data["replaces"],
            contains_personal_data=form.cleaned_data["contains_personal_data"],
        )
    except workflow.WorkflowError as refusal:
        return JsonResponse({"error": refusal.message}, status=400)
    count = answer.evidence_files.current().count()
    return JsonResponse(
        {
            "message": _("“%(name)s” is saved.") % {"name": evidence.name},
            "link": _("Evidence files (%(count)s)") % {"count": count},
        },
        status=201,
    )


@require_POST
def remove_evidence(request, pk, evidence_pk):
    checklist = permissions.get_checklist_to_change(request.user, pk)
    evidence = permissions.get_evidence_of_checklist(checklist, evidence_pk)
    try:
        workflow.remove_evidence(checklist=checklist, evidence=evidence, user=request.user)
    except workflow.WorkflowError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            _("“%(name)s” is removed. It stays in the answer's earlier files.")
            % {"name": evidence.name},
        )
    return redirect("checklists:evidence", pk=checklist.pk, answer_pk=evidence.answer_id)


@require_safe
def download_evidence(request, pk, evidence_pk):
    """The file itself, streamed by the app from the storage (a bucket is never public),
    as a download: a browser never runs what someone uploaded. A file holding personal
    data only for the project's office staff and focal points (403 for its managers)."""
    evidence = permissions.get_evidence_for_user(request.user, pk, evidence_pk)
    project = evidence.answer.checklist.project
    permissions.require(permissions.may_open_evidence(request.user, evidence, project))
    record_access(
        request, kind=AccessKind.EVIDENCE, what=evidence.name, project=project, evidence=evidence
    )
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.name,
        content_type=evidence.content_type,
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
