"""Arabic, right to left: pages, e-mails, the project PDF and the workbook. The browser
walk (tests/browser/test_accessibility.py) checks Arabic pages with axe and for sideways
scrolling at 390 and 320 px."""

import io

import openpyxl
import pytest
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from checklists.models import Item
from checklists.reports.project import project_report_pdf
from projects.models import Profile, Role

from .factories import answer_everything, make_user, start_project_checklist

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "direction", "stylesheet"),
    [
        ("ar", "rtl", "bootstrap.rtl.min.css"),
        ("en", "ltr", "bootstrap.min.css"),
        ("fr", "ltr", "bootstrap.min.css"),
        ("es", "ltr", "bootstrap.min.css"),
    ],
)
def test_pages_say_their_direction(client, language, direction, stylesheet):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'<html lang="{language}" dir="{direction}">' in page
    assert f"bootstrap/css/{stylesheet}" in page


def test_the_checklist_page_in_arabic(client, office_a, staff_a):
    Profile.objects.create(user=staff_a, language="ar")
    _project, checklist = start_project_checklist(office=office_a, staff=staff_a)
    client.force_login(staff_a)
    page = client.get(
        reverse("checklists:detail", args=[checklist.pk]), HTTP_ACCEPT_LANGUAGE="ar"
    ).content.decode()
    first = Item.objects.get(pk=checklist.answers.order_by("item__order").first().item_id)
    assert first.question_ar in page
    assert "إرسال للمراجعة" in page  # "Submit for review"
    assert f"<code>{first.code}</code>" in page  # codes stay codes: CSS keeps them left to right


def test_the_arabic_project_pdf_is_right_to_left_with_arabic_text(office_a, staff_a):
    project, checklist = start_project_checklist(office=office_a, staff=staff_a)
    answer_everything(checklist, staff_a)
    item = checklist.answers.order_by("item__order").first().item

    def first_page_lines(language):
        reader = PdfReader(
            io.BytesIO(project_report_pdf(project, language=language, generated_by=staff_a))
        )
        lines = []

        def visit(text, cm, tm, _font, _size):
            if text.strip():
                lines.append((tm[4] + cm[4], text.strip()))

        reader.pages[0].extract_text(visitor_text=visit)
        text = " ".join(page.extract_text() for page in reader.pages)
        return lines, text, reader.pages[0].mediabox.width

    lines, text, width = first_page_lines("ar")
    assert "تقرير التقدم في تعميم الحماية" in text  # the title, in reading order
    assert " ".join(item.question_ar.split()) in " ".join(text.split())
    title_x = next(x for x, line in lines if "تقرير التقدم في تعميم الحماية" in line)
    english_lines, _text, _width = first_page_lines("en")
    english_title_x = next(
        x for x, line in english_lines if "Protection mainstreaming progress report" in line
    )
    # Left to right the title starts at the left margin; right to left it ends at the right one.
    assert english_title_x < width / 4 < width / 2 < title_x


def test_the_arabic_workbook_reads_right_to_left(
    client, manager_a, project_a, django_capture_on_commit_callbacks
):
    Profile.objects.create(user=manager_a, language="ar")
    client.force_login(manager_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("checklists:portfolio-file-request"),
            {"kind": "portfolio_xlsx"},
            HTTP_ACCEPT_LANGUAGE="ar",
        )
    from checklists.models import ReportFile

    report = ReportFile.objects.get()
    assert report.language == "ar", report.language
    body = b"".join(
        client.get(
            reverse("checklists:portfolio-file-download", args=[report.pk])
        ).streaming_content
    )
    workbook = openpyxl.load_workbook(io.BytesIO(body))
    assert workbook.sheetnames == ["المشاريع", "الإجابات"]
    assert all(sheet.sheet_view.rightToLeft for sheet in workbook.worksheets)


def test_mail_goes_in_the_recipients_language_and_direction(
    office_a, staff_a, project_a, django_capture_on_commit_callbacks
):
    from checklists import workflow

    arabic = make_user(office=office_a, role=Role.FOCAL_POINT, email="fp.ar@example.org")
    Profile.objects.create(user=arabic, language="ar")
    mail.outbox.clear()
    project, checklist = start_project_checklist(office=office_a, staff=staff_a)
    with django_capture_on_commit_callbacks(execute=True):
        answer_everything(checklist, staff_a, submit=False)
        workflow.submit_checklist(checklist=checklist, user=staff_a)
    message = next(m for m in mail.outbox if m.to == ["fp.ar@example.org"])
    assert message.subject.startswith("للمراجعة")
    html = message.alternatives[0][0]
    assert 'lang="ar" dir="rtl"' in html


def test_the_bar_chart_grows_from_the_right_in_arabic():
    from django.utils import translation

    from checklists.reports.charts import bar_chart

    def first_bar_x(language):
        with translation.override(language):
            svg = str(bar_chart([("A", [50]), ("B", [80])], ["S"], title="t", description="d"))
        return float(svg.split("<rect ")[1].split('x="')[1].split('"')[0])

    assert first_bar_x("en") < 340 < first_bar_x("ar")
