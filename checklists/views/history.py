"""History pages: the audit trail of a project or of one checklist."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from projects import permissions

from .. import history


def _history(request, *, project, entries, title, checklist=None, receipts=()):
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
        "receipts": receipts,
    }
    return render(request, "checklists/history.html", context)


def project_history(request, project_pk):
    project = permissions.get_project_for_user(request.user, project_pk)
    title = _("History of %(code)s") % {"code": project.code}
    return _history(
        request,
        project=project,
        entries=project.audit_entries.all(),
        title=title,
        # What the retention schedule deleted: the receipts, first 100.
        receipts=list(project.deletion_receipts.all()[:100]),
    )


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
