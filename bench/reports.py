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

OFFICES, PROJECTS_PER_OFFICE, ROUNDS = 20, 100, 3
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
    phases = {p.code: p for p in Phase.objects.all()}
    sectors = list(Sector.objects.all())
    items = list(Item.objects.filter(framework=framework).prefetch_related("sectors"))
    manager = User.objects.create_user("bench.hq", password="bench")
    hq_region = Region.objects.create(code="bench-global", name="Global")
    hq = Office.objects.create(
        code="BENCH-HQ", name="Headquarters", region=hq_region, is_headquarters=True
    )
    Membership.objects.create(user=manager, office=hq, role=Role.MANAGER)
    regions = [Region.objects.create(code=f"bench-r{i}", name=f"Region {i}") for i in range(4)]
    today = timezone.localdate()
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
            projects = Project.objects.bulk_create(
                Project(
                    code=f"BENCH-{office_index:02d}-{n:03d}",
                    title=f"Benchmark project {n}",
                    office=office,
                    donor=rng.choice(["ECHO", "BHA", "EU", "UNHCR"]),
                    start_date=datetime.date(2025, 1, 1)
                    + datetime.timedelta(days=rng.randint(0, 300)),
                    end_date=datetime.date(2026, 12, 31),
                    current_phase=phases["evaluation"],
                    created_by=staff,
                )
                for n in range(PROJECTS_PER_OFFICE)
            )
            through = Project.sectors.through
            project_sectors = {p.pk: rng.sample(sectors, 2) for p in projects}
            through.objects.bulk_create(
                through(project_id=pk, sector_id=s.pk)
                for pk, chosen in project_sectors.items()
                for s in chosen
            )
            plan = (
                [("design", 1), ("endorsement", 1)]
                + [("implementation", r) for r in range(1, ROUNDS + 1)]
                + [("evaluation", 1)]
            )
            checklists = []
            for project in projects:
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
            checklists = Checklist.objects.bulk_create(checklists)
            answers = []
            for checklist in checklists:
                chosen = {s.pk for s in project_sectors[checklist.project_id]}
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
            ActionPoint.objects.bulk_create(
                (
                    ActionPoint(
                        project_id=next(c.project_id for c in [a.checklist]),
                        answer=a,
                        description="Close the gap found in monitoring.",
                        owner=staff,
                        due_date=today + datetime.timedelta(days=rng.randint(-60, 90)),
                        done_on=today if rng.random() < 0.4 else None,
                    )
                    for a in answers
                    if a.response in ("partial", "no")
                ),
                batch_size=5000,
            )
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


def main() -> None:
    print(f"database: {connection.vendor}")
    build()
    if not PrincipleTally.objects.exists():
        call_command("refresh_tallies")
    client = Client()
    manager = User.objects.get(username="bench.hq")
    client.force_login(manager)
    region = Region.objects.get(code="bench-r0")
    full_project = Project.objects.filter(code__startswith="BENCH-").first()

    def get(url, params=None):
        response = client.get(url, params or {})
        assert response.status_code == 200, (url, response.status_code)
        return b"".join(response.streaming_content) if response.streaming else response.content

    results = {
        "dashboard (2,000 projects)": timed(
            "dashboard, 2,000 projects", lambda: get("/portfolio/")
        ),
        "project PDF": timed(
            "project PDF, four phases and three rounds",
            lambda: get(f"/projects/{full_project.pk}/report.pdf"),
        ),
        # These two run in the task worker, not in a web request (see checklists/tasks.py).
        "portfolio PDF (500 projects)": timed(
            "portfolio PDF, 500 projects (one region), in the worker",
            lambda: portfolio_report_pdf(
                Project.objects.filter(office__region=region),
                language="en",
                generated_by=manager,
            ),
            repeat=1,
        ),
        "XLSX, all answers": timed(
            "spreadsheet (XLSX), all answers, in the worker",
            lambda: workbook_bytes(Project.objects.all(), today=timezone.localdate()),
            repeat=1,
        ),
        "request a report": timed(
            "web request that asks for the portfolio PDF",
            lambda: client.post("/portfolio/files/", {"kind": "portfolio_pdf"}),
        ),
        "CSV, all answers": timed(
            "answers CSV, all answers", lambda: get("/portfolio/answers.csv"), repeat=1
        ),
    }
    print(f"projects in the region: {Project.objects.filter(office__region=region).count()}")
    return results


if __name__ == "__main__":
    main()
