"""Every path that shows a checklist's score and rating says the same: its page, the
project PDF, the dashboard, the XLSX workbook and the CSV file, for checklists that cover
every rating rule."""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from checklists import tallies, workflow
from checklists.models import ActionPoint, Checklist, ChecklistStatus, Item
from checklists.scoring import Rating

from ..factories import make_checklist, make_project
from .test_reports import pdf_text

pytestmark = pytest.mark.django_db

GAP = {"action_description": "Fix it", "action_due": datetime.date(2027, 1, 31)}

# name: (responses of the 8 items, first item critical, its action point, expected)
CASES = {
    "green": (["yes"] * 8, False, None, (100, Rating.GREEN)),
    "amber-by-score": (["yes"] * 4 + ["partial"] * 2 + ["no"] * 2, False, None, (63, Rating.AMBER)),
    "red-by-score": (["no"] * 5 + ["partial"] + ["yes"] * 2, False, None, (31, Rating.RED)),
    "critical-gap-open": (["no"] + ["yes"] * 7, True, "open", (88, Rating.AMBER)),
    "critical-gap-without-action": (["no"] + ["yes"] * 7, True, "missing", (88, Rating.RED)),
    "critical-gap-closed": (["no"] + ["yes"] * 7, True, "done", (88, Rating.GREEN)),
    "not-rated": (["na"] * 8, False, None, (None, Rating.NOT_RATED)),
}


def fill(checklist, staff, responses, critical, action):
    answers = list(checklist.answers.select_related("item").order_by("item__order"))
    if critical:
        Item.objects.filter(pk=answers[0].item_id).update(critical=True)
    for index, (answer, response) in enumerate(zip(answers, responses, strict=True)):
        values = {"response": response}
        if response == "na":
            values["not_applicable_reason"] = "No such activity."
        if response in ("partial", "no") and not (index == 0 and action == "missing"):
            values.update(GAP, action_owner=staff)
        workflow.save_answer(
            checklist=checklist,
            answer_id=answer.pk,
            user=staff,
            values=workflow.AnswerInput(**values),
            based_on_version=0,
        )
    if action == "done":
        point = ActionPoint.objects.get(answer=answers[0])
        workflow.mark_action_point_done(
            action_point=point, user=staff, done_on=datetime.date(2026, 11, 1), note="Done"
        )
    # Reported as approved (set directly: the workflow would rightly refuse to submit the
    # checklist whose critical gap has no action point).
    Checklist.objects.filter(pk=checklist.pk).update(
        status=ChecklistStatus.APPROVED, submitted_by=staff, submitted_at=timezone.now()
    )
    # And in its project's tally, which the workflow's submission would have added it to.
    tallies.refresh_reported_tallies([checklist.project_id])


RATING_HTML = re.compile(
    r'<span class="rating rating-(?P<rating>\w+)">'
    r'(?:<span class="rating-percent">(?P<percent>\d+)%</span> )?'
)


def from_html(html: str) -> tuple:
    match = RATING_HTML.search(html)
    percent = match["percent"]
    return (int(percent) if percent else None, match["rating"])


def from_pdf(text: str) -> tuple:
    overall = " ".join(text.split("Overall rating", 1)[1].split("Framework", 1)[0].split())
    percent = re.match(r"(\d+)%", overall)
    rating = next(code for code, label in Rating.LABELS.items() if str(label) in overall)
    return (int(percent[1]) if percent else None, rating)


def from_sheet(header: list, line: list) -> tuple:
    percent = line[header.index("Overall score (%)")]
    rating = line[header.index("Overall rating")]
    return (int(percent) if percent not in (None, "") else None, rating)


@pytest.fixture
def rated(staff_a, office_a):
    projects = {}
    for name, (responses, critical, action, _expected) in CASES.items():
        project = make_project(office=office_a, code=f"AGREE-{name}")
        checklist = make_checklist(project=project, user=staff_a, item_count=8)
        fill(checklist, staff_a, responses, critical, action)
        projects[name] = (project, checklist)
    return projects


def test_page_pdf_dashboard_xlsx_and_csv_agree_on_every_rating_rule(
    client, staff_a, hq_manager, rated
):
    from openpyxl import load_workbook

    from checklists.reports import spreadsheet
    from projects.models import Project

    client.force_login(hq_manager)
    dashboard = client.get(reverse("checklists:dashboard")).content.decode()
    lines = list(
        csv.reader(
            io.StringIO(b"".join(client.get(reverse("checklists:portfolio-projects-csv"))).decode())
        )
    )
    csv_header, csv_rows = [h.lstrip("\ufeff") for h in lines[0]], lines[1:]
    workbook = load_workbook(
        io.BytesIO(spreadsheet.workbook_bytes(Project.objects.all(), today=timezone.localdate()))
    )
    sheet_rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    sheet_header, sheet_rows = list(sheet_rows[0]), sheet_rows[1:]

    for name, (project, checklist) in rated.items():
        expected = CASES[name][3]
        page = client.get(reverse("checklists:detail", args=[checklist.pk])).content.decode()
        on_page = from_html(page.split('data-score-for="overall"', 1)[1])
        pdf = from_pdf(
            pdf_text(client.get(reverse("checklists:project-report", args=[project.pk])).content)
        )
        row = dashboard.split(f">{project.code}</a>", 1)[1].split("</tr>", 1)[0]
        on_dashboard = from_html(row.rsplit("<td>", 2)[1])
        in_csv = from_sheet(csv_header, next(r for r in csv_rows if r[0] == project.code))
        in_xlsx = from_sheet(sheet_header, next(r for r in sheet_rows if r[0] == project.code))
        assert on_page == pdf == on_dashboard == in_csv == in_xlsx == expected, (
            name,
            {
                "page": on_page,
                "pdf": pdf,
                "dashboard": on_dashboard,
                "csv": in_csv,
                "xlsx": in_xlsx,
            },
        )
