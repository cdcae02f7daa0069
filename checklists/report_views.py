"""Report downloads and the portfolio dashboard. Views fetch in scope and serve bytes."""

from django.http import HttpResponse
from django.utils import timezone, translation

from projects import permissions

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
