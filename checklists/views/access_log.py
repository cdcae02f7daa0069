"""A project's access log: who read its evidence, reports and answers, newest first,
filtered, and as CSV (the export is itself logged). For the project's focal points and
managers; staff of the office get 403, anybody else 404."""

from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from projects import permissions

from ..downloads import attachment
from ..forms import AccessLogFilter
from ..models import AccessKind, AccessLogEntry
from ..reports.spreadsheet import csv_rows
from ..workflow.access import record_access


def _entries(request, project_pk):
    project = permissions.get_project_for_user(request.user, project_pk)
    permissions.require(permissions.can_read_access_log(request.user, project))
    form = AccessLogFilter(request.GET or None)
    entries = form.filter(AccessLogEntry.objects.about_project(project))
    return project, form, entries.select_related("user").order_by("-created_at", "-pk")


def project_access_log(request, project_pk):
    project, form, entries = _entries(request, project_pk)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "checklists/access_log.html",
        {
            "project": project,
            "form": form,
            "page_obj": page,
            "paginator": page.paginator,
            "is_paginated": page.has_other_pages(),
            "query_string": query.urlencode(),
        },
    )


def _csv_lines(entries):
    yield ["when", "user", "name", "what", "details", "address", "project"]
    for entry in entries.iterator(chunk_size=500):
        yield [
            entry.created_at.isoformat(),
            entry.user.username,
            entry.user.get_full_name(),
            entry.kind,
            entry.what,
            entry.address or "",
            entry.project_id or "",
        ]


def project_access_log_csv(request, project_pk):
    project, form, entries = _entries(request, project_pk)
    filename = f"{project.code}-access-log-{timezone.localdate():%Y-%m-%d}.csv"
    record_access(
        request,
        kind=AccessKind.ACCESS_LOG_EXPORT,
        what=f"{filename} {request.GET.urlencode()}".strip(),
        project=project,
    )
    # As the portfolio's CSV: UTF-8 with a BOM, and no cell a spreadsheet would run.
    response = StreamingHttpResponse(
        csv_rows(_csv_lines(entries)), content_type="text/csv; charset=utf-8"
    )
    response["Cache-Control"] = "private, no-store"
    return attachment(response, filename)
