"""Report downloads and the portfolio dashboard. Views fetch in scope and serve bytes."""

import tempfile

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projects import permissions

from ..downloads import XLSX, attachment, file_download
from ..models import AccessKind, ReportFile, ReportKind, ReportStatus
from ..reports import spreadsheet
from ..reports.portfolio import PortfolioFilterForm, build_portfolio, project_rows
from ..reports.project import project_report_pdf
from ..reports.record import write_project_record
from ..workflow import endorsement
from ..workflow import reports as report_workflow
from ..workflow.access import record_access


def project_report(request, project_pk):
    """The project progress report as PDF, in the user's language."""
    project = permissions.get_project_for_user(request.user, project_pk)
    pdf = project_report_pdf(
        project, language=translation.get_language(), generated_by=request.user
    )
    filename = f"{project.code}-protection-report-{timezone.localdate():%Y-%m-%d}.pdf"
    record_access(request, kind=AccessKind.PROJECT_REPORT, what=filename, project=project)
    return file_download(pdf, filename=filename, content_type="application/pdf")


def project_record(request, project_pk):
    """The project's complete record as one ZIP (reports/record.py), for whoever may read
    the project; files with personal data only for those who may open them."""
    project = permissions.get_project_for_user(request.user, project_pk)
    # In memory up to 10 MB, then on the local disk: a record with its evidence can be large.
    output = tempfile.SpooledTemporaryFile(max_size=10 * 1024 * 1024)  # noqa: SIM115 (the response closes it)
    filename = write_project_record(
        project, user=request.user, language=translation.get_language(), output=output
    )
    output.seek(0)
    record_access(request, kind=AccessKind.PROJECT_RECORD, what=filename, project=project)
    response = FileResponse(
        output, as_attachment=True, filename=filename, content_type="application/zip"
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _portfolio(request):
    """The projects the user may report on, filtered as the form says."""
    permissions.require(permissions.can_view_portfolio(request.user))
    scope = permissions.portfolio_projects(request.user)
    form = PortfolioFilterForm(request.GET or None, projects=scope)
    return form, form.filter(scope)


def dashboard(request):
    form, projects = _portfolio(request)
    language = translation.get_language()
    portfolio = build_portfolio(projects, language=language)
    paginator = Paginator(
        projects.order_by("office__name", "code").values_list("pk", flat=True), 50
    )
    page = paginator.get_page(request.GET.get("page"))
    rows = project_rows(
        projects,
        principles=portfolio["principles"],
        today=portfolio["today"],
        limit=paginator.per_page,
        offset=(page.number - 1) * paginator.per_page,
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "checklists/dashboard.html",
        {
            **portfolio,
            "form": form,
            "rows": rows,
            "page_obj": page,
            "paginator": paginator,
            "is_paginated": page.has_other_pages(),
            "query_string": query.urlencode(),
            "recent_reports": list(ReportFile.objects.filter(requested_by=request.user)[:5]),
            "endorsement_waits": endorsement.waits_by_level(projects),
        },
    )


@require_POST
def request_portfolio_file(request):
    """Ask the worker for a portfolio PDF or spreadsheet; a 500-project report takes a while,
    so it never runs in the web process. The user follows its progress on the next page."""
    permissions.require(permissions.can_view_portfolio(request.user))
    kind = request.POST.get("kind", "")
    if kind not in ReportKind.values:
        messages.error(request, _("Choose which report to prepare."))
        return redirect("checklists:dashboard")
    report = report_workflow.request_report(
        user=request.user,
        kind=kind,
        query=request.POST.get("query", ""),
        language=translation.get_language(),
    )
    return redirect("checklists:portfolio-file", pk=report.pk)


@require_POST
def retry_portfolio_file(request, pk):
    """ "Try again" on a report that failed: the same report, asked for anew."""
    report = report_workflow.request_again(report=_own_report(request, pk))
    return redirect("checklists:portfolio-file", pk=report.pk)


def _own_report(request, pk) -> ReportFile:
    permissions.require(permissions.can_view_portfolio(request.user))
    return permissions.get_report_file_for_user(request.user, pk)


def portfolio_file(request, pk):
    report = _own_report(request, pk)
    # Whoever waits for a report learns within a minute or two if its worker died.
    stalled = not report.is_finished and report_workflow.recover_stalled_reports(
        reports=ReportFile.objects.filter(pk=pk)
    )
    if stalled:
        report.refresh_from_db()
    if request.headers.get("Accept") == "application/json":
        return JsonResponse(
            {
                "status": report.status,
                "label": str(report.get_status_display()),
                "download": reverse("checklists:portfolio-file-download", args=[report.pk])
                if report.status == ReportStatus.DONE
                else None,
            }
        )
    return render(request, "checklists/report_file.html", {"report": report})


def portfolio_file_download(request, pk):
    report = _own_report(request, pk)
    if report.status != ReportStatus.DONE or not report.file:
        raise Http404
    record_access(
        request,
        kind=AccessKind.PORTFOLIO_FILE,
        what=report.filename,
        offices=report.offices,
        every_office=report.every_office,
    )
    content_type = "application/pdf" if report.kind == ReportKind.PORTFOLIO_PDF else XLSX
    return FileResponse(
        report.file.open("rb"),
        as_attachment=True,
        filename=report.filename,
        content_type=content_type,
    )


def portfolio_csv(request, sheet):
    form, projects = _portfolio(request)
    today = timezone.localdate()
    lines = (
        spreadsheet.answer_lines(projects, today=today)
        if sheet == "answers"
        else spreadsheet.project_lines(projects, today=today)
    )
    filename = f"portfolio-{sheet}-{today:%Y-%m-%d}.csv"
    every_office, offices = permissions.portfolio_scope(request.user)
    record_access(
        request,
        kind=AccessKind.PORTFOLIO_CSV,
        what=f"{filename} {request.GET.urlencode()}".strip(),
        offices=offices,
        every_office=every_office,
    )
    response = StreamingHttpResponse(
        spreadsheet.csv_rows(lines), content_type="text/csv; charset=utf-8"
    )
    return attachment(response, filename)
