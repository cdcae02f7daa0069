"""Benchmark of the reports on a realistic data set.

Builds (once) 20 offices, 2,000 projects with every phase filled and three monitoring
rounds, then times: the portfolio dashboard, a project PDF with all four phases, a portfolio
PDF of 500 projects, and the spreadsheet and CSV of all answers.

    createdb pmapp_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pmapp_bench .venv/bin/python bench/reports.py

It refuses to run on a database that holds other projects than its own (it would skew the
figures and it adds 2,000 projects).
"""

import datetime
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmapp.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from checklists.models import (  # noqa: E402
    ActionPoint,
    Answer,
    Checklist,
    ChecklistStatus,
    Decision,
    Framework,
    FrameworkStatus,
    Item,
    Phase,
    PrincipleTally,
    Review,
)
from checklists.reports.portfolio import portfolio_report_pdf  # noqa: E402
from checklists.reports.spreadsheet import workbook_bytes  # noqa: E402
from projects.models import Membership, Office, Project, Region, Role, Sector  # noqa: E402

# 20 offices make 2,000 projects; BENCH_OFFICES=80 makes 8,000, of which the region
# bench-r0 (every fourth office) holds 2,000: the dashboard is timed on both in one run.
OFFICES = int(os.environ.get("BENCH_OFFICES", "20"))
PROJECTS_PER_OFFICE, ROUNDS = 100, 3
# The portfolio PDF and spreadsheet are timed on the projects of the first five offices.
REPORT_OFFICES = 5
RESPONSES = ["yes"] * 70 + ["partial"] * 15 + ["no"] * 8 + ["na"] * 7


def build() -> None:
    if Project.objects.filter(code__startswith="BENCH-").exists():
        return
    if Project.objects.exists():
        sys.exit("This database already holds projects: use an empty one for the benchmark.")
    started = time.perf_counter()
    call_command("load_framework", verbosity=0)
    rng = random.Random(2026)
    framework = Framework.objects.get(status=FrameworkStatus.PUBLISHED)
    items = list(Item.objects.filter(framework=framework).prefetch_related("sectors"))
    regions = _headquarters_and_regions()
    with transaction.atomic():
        for office_index in range(OFFICES):
            office = Office.objects.create(
                code=f"BENCH-{office_index:02d}",
                name=f"Office {office_index:02d}",
                region=regions[office_index % 4],
            )
            staff = User.objects.create_user(f"bench.staff{office_index}", password="bench")
            focal = User.objects.create_user(f"bench.focal{office_index}", password="bench")
            Membership.objects.create(user=staff, office=office, role=Role.STAFF)
            Membership.objects.create(user=focal, office=office, role=Role.FOCAL_POINT)
            project_sectors = _office_projects(office, staff, rng)
            checklists = _checklists(project_sectors, framework, staff, rng)
            _answers_and_action_points(checklists, project_sectors, items, staff, rng)
            Review.objects.bulk_create(
                Review(checklist=c, decision=Decision.APPROVED, reviewer=focal)
                for c in checklists
                if c.status == ChecklistStatus.APPROVED
            )
    print(
        f"built the data set in {time.perf_counter() - started:.0f} s: "
        f"{Project.objects.count()} projects, {Checklist.objects.count()} checklists, "
        f"{Answer.objects.count()} answers, {ActionPoint.objects.count()} action points"
    )


def _headquarters_and_regions() -> list[Region]:
    """The HQ manager who reads the dashboard, and the four regions offices belong to."""
    manager = User.objects.create_user("bench.hq", password="bench")
    hq_region = Region.objects.create(code="bench-global", name="Global")
    hq = Office.objects.create(
        code="BENCH-HQ", name="Headquarters", region=hq_region, is_headquarters=True
    )
    Membership.objects.create(user=manager, office=hq, role=Role.MANAGER)
    return [Region.objects.create(code=f"bench-r{i}", name=f"Region {i}") for i in range(4)]


def _office_projects(office, staff, rng) -> dict:
    """The office's projects, each in two sectors: {project: [sector, sector]}."""
    evaluation = Phase.objects.get(code="evaluation")
    sectors = list(Sector.objects.all())
    projects = Project.objects.bulk_create(
        Project(
            code=f"{office.code}-{n:03d}",
            title=f"Benchmark project {n}",
            office=office,
            donor=rng.choice(["ECHO", "BHA", "EU", "UNHCR"]),
            start_date=datetime.date(2025, 1, 1) + datetime.timedelta(days=rng.randint(0, 300)),
            end_date=datetime.date(2026, 12, 31),
            current_phase=evaluation,
            created_by=staff,
        )
        for n in range(PROJECTS_PER_OFFICE)
    )
    project_sectors = {project: rng.sample(sectors, 2) for project in projects}
    through = Project.sectors.through
    through.objects.bulk_create(
        through(project_id=project.pk, sector_id=sector.pk)
        for project, chosen in project_sectors.items()
        for sector in chosen
    )
    return project_sectors


def _checklists(project_sectors, framework, staff, rng) -> list[Checklist]:
    """Every phase approved, three monitoring rounds, the evaluation waiting for review."""
    phases = {p.code: p for p in Phase.objects.all()}
    plan = (
        [("design", 1), ("endorsement", 1)]
        + [("implementation", r) for r in range(1, ROUNDS + 1)]
        + [("evaluation", 1)]
    )
    checklists = []
    for project in project_sectors:
        for index, (phase_code, round_number) in enumerate(plan):
            last = index == len(plan) - 1
            submitted = timezone.now() - datetime.timedelta(
                days=30 * (len(plan) - index) + rng.randint(0, 20)
            )
            checklists.append(
                Checklist(
                    project=project,
                    phase=phases[phase_code],
                    framework=framework,
                    round=round_number,
                    started_by=staff,
                    submitted_by=staff,
                    submitted_at=submitted,
                    status=ChecklistStatus.SUBMITTED if last else ChecklistStatus.APPROVED,
                )
            )
    return Checklist.objects.bulk_create(checklists)


def _answers_and_action_points(checklists, project_sectors, items, staff, rng) -> None:
    chosen_by_project = {p.pk: {s.pk for s in chosen} for p, chosen in project_sectors.items()}
    answers = []
    for checklist in checklists:
        chosen = chosen_by_project[checklist.project_id]
        for item in items:
            if item.phase_id != checklist.phase_id:
                continue
            item_sectors = {s.pk for s in item.sectors.all()}
            if item_sectors and not item_sectors & chosen:
                continue
            answers.append(
                Answer(
                    checklist=checklist,
                    item=item,
                    response=rng.choice(RESPONSES),
                    comment="Checked on site." if rng.random() < 0.3 else "",
                    not_applicable_reason="No such activity.",
                )
            )
    answers = Answer.objects.bulk_create(answers, batch_size=5000)
    today = timezone.localdate()
    ActionPoint.objects.bulk_create(
        (
            ActionPoint(
                project_id=answer.checklist.project_id,
                answer=answer,
                description="Close the gap found in monitoring.",
                owner=staff,
                due_date=today + datetime.timedelta(days=rng.randint(-60, 90)),
                done_on=today if rng.random() < 0.4 else None,
            )
            for answer in answers
            if answer.response in ("partial", "no")
        ),
        batch_size=5000,
    )


def timed(label, function, repeat=3) -> float:
    durations = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        durations.append(time.perf_counter() - started)
    median = statistics.median(durations)
    size = f", {len(result) / 1024:.0f} KiB" if isinstance(result, bytes) else ""
    print(f"{label:<52} median {median:6.2f} s (best {min(durations):.2f} s{size})")
    return median


def report_projects():
    offices = [f"BENCH-{n:02d}" for n in range(REPORT_OFFICES)]
    return Project.objects.filter(office__code__in=offices)


def plain_table_pdf(pages: int) -> float:
    """The floor of the PDF figure: WeasyPrint alone rendering a plain table of as many
    pages as the report; returns the seconds it took."""
    from weasyprint import HTML

    def table(rows: int) -> str:
        cells = "".join(
            f"<tr><td>BENCH-{n:05d}</td><td>Office {n % 20}</td><td>{n % 100}%</td>"
            f"<td>{(n * 7) % 100}%</td><td>{(n * 3) % 100}%</td><td>{(n * 5) % 100}%</td></tr>"
            for n in range(rows)
        )
        return f"<html><body><table>{cells}</table></body></html>"

    probe = 400
    rows_per_page = probe / len(HTML(string=table(probe)).render().pages)
    html = table(round(rows_per_page * pages))
    started = time.perf_counter()
    HTML(string=html).write_pdf()
    return time.perf_counter() - started


def xlsx_floor(projects) -> float:
    """The floor of the spreadsheet figure: openpyxl alone writing the same rows."""
    from openpyxl import Workbook

    from checklists.reports import spreadsheet

    today = timezone.localdate()
    sheets = [list(spreadsheet.project_lines(projects, today=today))]
    sheets.append(list(spreadsheet.answer_lines(projects, today=today)))
    started = time.perf_counter()
    workbook = Workbook(write_only=True)
    for lines in sheets:
        sheet = workbook.create_sheet()
        for line in lines:
            sheet.append(line)
    workbook.save(io.BytesIO())
    return time.perf_counter() - started


def main() -> None:
    print(f"database: {connection.vendor}")
    build()
    if not PrincipleTally.objects.exists():
        call_command("refresh_tallies")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # the planner needs statistics (see docs/development.md)
    client = Client()
    manager = User.objects.get(username="bench.hq")
    client.force_login(manager)

    def get(url, params=None):
        response = client.get(url, params or {})
        assert response.status_code == 200, (url, response.status_code)
        return b"".join(response.streaming_content) if response.streaming else response.content

    lines = dashboard_figures(get)
    full_project = Project.objects.filter(code__startswith="BENCH-").first()
    timed(
        "project PDF, four phases and three rounds",
        lambda: get(f"/projects/{full_project.pk}/report.pdf"),
    )
    lines += report_file_figures(manager)
    timed(
        "web request that asks for the portfolio PDF",
        lambda: client.post("/portfolio/files/", {"kind": "portfolio_pdf"}),
    )
    timed("answers CSV, all answers", lambda: get("/portfolio/answers.csv"), repeat=1)
    print("\n".join(lines))


def dashboard_figures(get) -> list[str]:
    """The dashboard on one region (2,000 projects at 80 offices) and on all of them."""
    region = Region.objects.get(code="bench-r0")
    everything = Project.objects.filter(code__startswith="BENCH-").count()
    in_region = Project.objects.filter(office__region=region).count()
    region_time = timed(
        f"dashboard, {in_region:,} projects (one region)",
        lambda: get("/portfolio/", {"region": region.pk}),
        repeat=5,
    )
    all_time = timed(f"dashboard, {everything:,} projects", lambda: get("/portfolio/"), repeat=5)
    return [
        f"dashboard, {in_region:,} projects: {region_time:.3f} s (target < 0.3 s: "
        f"{'meets' if region_time < 0.3 else 'ABOVE'})",
        f"dashboard, {everything:,} projects: {all_time:.3f} s, {all_time / region_time:.2f}x "
        f"the {in_region:,} figure (target at 4x the projects <= 2x: "
        f"{'meets' if all_time <= 2 * region_time else 'ABOVE'})",
    ]


def report_file_figures(manager) -> list[str]:
    """The portfolio PDF and spreadsheet, each against its floor, in the same run."""
    import pypdf

    projects = report_projects()
    count = projects.count()
    pdf_time = timed(
        f"portfolio PDF, {count} projects, in the worker",
        lambda: portfolio_report_pdf(projects, language="en", generated_by=manager),
        repeat=2,
    )
    pdf = portfolio_report_pdf(projects, language="en", generated_by=manager)
    pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
    floor = statistics.median([plain_table_pdf(pages) for _ in range(2)])
    lines = [
        f"portfolio PDF, {count} projects ({pages} pages): {pdf_time:.2f} s; floor, WeasyPrint "
        f"alone on a plain {pages}-page table: {floor:.2f} s; ratio {pdf_time / floor:.2f}x "
        f"(target <= 1.2x: {'meets' if pdf_time / floor <= 1.2 else 'ABOVE'})"
    ]
    xlsx_time = timed(
        f"spreadsheet (XLSX), {count} projects and their answers, in the worker",
        lambda: workbook_bytes(projects, today=timezone.localdate()),
        repeat=2,
    )
    floor = statistics.median([xlsx_floor(projects) for _ in range(2)])
    lines.append(
        f"spreadsheet (XLSX), {count} projects: {xlsx_time:.2f} s; floor, openpyxl alone "
        f"writing the same rows: {floor:.2f} s; ratio {xlsx_time / floor:.2f}x "
        f"(target <= 1.1x: {'meets' if xlsx_time / floor <= 1.1 else 'ABOVE'})"
    )
    return lines


if __name__ == "__main__":
    main()
