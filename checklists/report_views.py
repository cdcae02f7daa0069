"""Report downloads and the portfolio dashboard. Views fetch in scope and serve bytes."""

from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone, translation

from projects import permissions

from .reports import spreadsheet
from .reports.portfolio import (
    PortfolioFilterForm,
    build_portfolio,
    portfolio_report_pdf,
    project_rows,
)
from .reports.project import project_report_pdf


def _attachment(content: bytes, *, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def project_report(request, project_pk):
    """The project compliance report as PDF, in the user's language."""
    project = permissions.get_project_for_user(request.user, project_pk)
    pdf = project_report_pdf(
        project, language=translation.get_language(), generated_by=request.user
    )
    filename = f"{project.code}-protection-report-{timezone.localdate():%Y-%m-%d}.pdf"
    return _attachment(pdf, filename=filename, content_type="application/pdf")


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
        },
    )


def portfolio_report(request):
    form, projects = _portfolio(request)
    language = translation.get_language()
    pdf = portfolio_report_pdf(projects, language=language, generated_by=request.user)
    filename = f"portfolio-protection-report-{timezone.localdate():%Y-%m-%d}.pdf"
    return _attachment(pdf, filename=filename, content_type="application/pdf")


def portfolio_spreadsheet(request):
    form, projects = _portfolio(request)
    content = spreadsheet.workbook_bytes(projects, today=timezone.localdate())
    filename = f"portfolio-{timezone.localdate():%Y-%m-%d}.xlsx"
    return _attachment(
        content,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def portfolio_csv(request, sheet):
    form, projects = _portfolio(request)
    today = timezone.localdate()
    lines = (
        spreadsheet.answer_lines(projects, today=today)
        if sheet == "answers"
        else spreadsheet.project_lines(projects, today=today)
    )
    response = StreamingHttpResponse(
        spreadsheet.csv_rows(lines), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="portfolio-{sheet}-{today:%Y-%m-%d}.csv"'
    )
    return response
