"""Field-ready speed of the checklist pages and autosave, as ratios against a floor served in
the same run (never as timed tests).

    createdb -h 127.0.0.1 -U postgres pmapp_field
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pmapp_field .venv/bin/python bench/field.py

Starts the app under gunicorn (2 workers, production settings, persistent database
connections) and the bare Django app of bench/floor.py (the same 100 radio groups as a plain
template, nothing else) beside it, then measures with wrk (from Debian's packages) and a
small Python client on loopback:

- the 100-item checklist page and a project page: throughput as a ratio of the floor's;
- the checklist page's HTML per item, and what a first and a repeat visit transfer
  compressed (static files have hashed names and are cached for a year);
- autosave: SQL statements per save, saves per second for one client (and its median
  latency), and for four clients saving different items of one checklist.

Each figure is printed with its floor and target. Traffic goes to 127.0.0.1 only.
"""

import datetime
import gzip
import http.client
import json
import multiprocessing
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.server import SERVER_ENV, serve  # noqa: E402

os.environ.update(SERVER_ENV)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmapp.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from checklists import tallies, workflow  # noqa: E402
from checklists.models import Answer, Checklist, Framework, Item, Phase  # noqa: E402
from projects.models import Membership, Office, Project, Region, Role, Sector  # noqa: E402

APP_PORT, FLOOR_PORT = 8101, 8102
PASSWORD = "field-bench-password"
# Every figure by name, for bench/sizes.py, which runs this on three databases and compares.
RESULTS: dict[str, float] = {}
ITEMS = 100
DURATION = int(os.environ.get("BENCH_SECONDS", "10"))
# Autosave rounds of each size (1, 4, 16 clients), alternating; figures are their medians.
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))


def prepare() -> dict:
    """A staff member, a 100-item checklist half answered, and a real design checklist."""
    call_command("migrate", verbosity=0)
    call_command("load_framework", verbosity=0)
    call_command("collectstatic", "--no-input", verbosity=0)
    region, _ = Region.objects.get_or_create(code="field", defaults={"name": "Field"})
    office, _ = Office.objects.get_or_create(
        code="FIELD", defaults={"name": "Field office", "region": region}
    )
    user, created = User.objects.get_or_create(
        username="field.staff", defaults={"first_name": "Layla", "last_name": "Hassan"}
    )
    if created:
        user.set_password(PASSWORD)
        user.save()
        Membership.objects.create(user=user, office=office, role=Role.STAFF)
    for n in range(8):  # people who may own action points, as in an office
        other, made = User.objects.get_or_create(username=f"field.colleague{n}")
        if made:
            Membership.objects.create(user=other, office=office, role=Role.STAFF)

    def project(code):
        made, new = Project.objects.get_or_create(
            code=code,
            defaults={
                "title": "Shelter repairs for returnee families",
                "office": office,
                "start_date": "2026-01-01",
                "end_date": "2026-12-31",
                "description": "Repairs and winterisation.",
            },
        )
        if new:
            made.sectors.set(Sector.objects.filter(code="shelter"))
        return made

    real = project("FIELD-REAL")
    design = Checklist.objects.filter(project=real).first() or workflow.start_checklist(
        project=real, user=user
    )
    # A new 100-item checklist each run, half answered: the runs' autosaves pile up on the
    # one they used (thousands of saves each), which no page would otherwise carry.
    runs = Project.objects.filter(code__startswith="FIELD-100-").count()
    checklist = hundred_item_checklist(project(f"FIELD-100-{runs + 1}"), user)
    # The same page with every item answered, each with its "last saved" line.
    full = hundred_item_checklist(project(f"FIELD-ALL-{runs + 1}"), user, answered=ITEMS)
    return {
        "user": user,
        "checklist": checklist,
        "full": full,
        "design": design,
        "project": real,
    }


def hundred_item_checklist(project, user, *, answered=ITEMS // 2) -> Checklist:
    """A checklist of 100 design items with the real framework's texts, half answered as
    people do (the items made once, by the first run)."""
    design = Phase.objects.get(code="design")
    framework = Framework.objects.filter(code="field-100").first() or _hundred_items(design)
    checklist = Checklist.objects.create(
        project=project, phase=design, framework=framework, started_by=user
    )
    items = framework.items.all()
    Answer.objects.bulk_create(Answer(checklist=checklist, item=item) for item in items)
    tallies.refresh_tallies([checklist.pk])
    for index, answer in enumerate(checklist.answers.order_by("item__order")[:answered]):
        values = workflow.AnswerInput(response="yes")
        if index % 10 == 3:
            values = workflow.AnswerInput(
                response="partial",
                action_description="Extend the measure to the remaining sites.",
                action_owner=user,
                action_due=datetime.date(2027, 1, 31),
            )
        workflow.save_answer(
            checklist=checklist, answer_id=answer.pk, user=user, values=values, based_on_version=0
        )
    return checklist


def _hundred_items(design) -> Framework:
    source = list(Item.objects.filter(framework__status="published").prefetch_related("topics"))
    framework = Framework.objects.create(
        code="field-100", version=1, name="Field 100", status="published"
    )
    models = [source[n % len(source)] for n in range(ITEMS)]
    items = Item.objects.bulk_create(
        Item(
            framework=framework,
            code=f"FLD-{n:03d}",
            phase=design,
            principle=model.principle,
            order=n,
            **{
                f"{text}_{language}": getattr(model, f"{text}_{language}")
                for text in ("question", "guidance", "source")
                for language in ("en", "fr", "es", "ar")
            },
            critical=model.critical,
            not_applicable_allowed=model.not_applicable_allowed,
        )
        for n, model in enumerate(models)
    )
    for item, model in zip(items, models, strict=True):
        item.topics.set(model.topics.all())
    return framework


# --- Servers and clients ------------------------------------------------------------------


class Session:
    """A logged-in browser on one keep-alive connection."""

    def __init__(self, username: str):
        self.connection = http.client.HTTPConnection("127.0.0.1", APP_PORT, timeout=30)
        self.cookies: dict[str, str] = {}
        page = self.request("GET", "/accounts/login/")[1].decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
        status, _ = self.request(
            "POST",
            "/accounts/login/",
            {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD},
        )
        assert status == 302, f"login failed: {status}"

    def request(self, method, path, data=None, headers=None):
        headers = {
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            **(headers or {}),
        }
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
            headers["Referer"] = f"http://127.0.0.1:{APP_PORT}/"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        content = response.read()
        self.headers = {k.lower(): v for k, v in response.getheaders()}
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, content

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())


def wrk(url: str, cookie: str = "") -> float:
    """Requests per second over DURATION seconds with 4 connections."""
    command = ["wrk", "-t", "2", "-c", "4", "-d", f"{DURATION}s", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        sys.exit(f"wrk saw {non_2xx[1]} errors on {url}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])


def ratio_line(label, value, floor, target) -> str:
    ratio = value / floor
    verdict = "meets" if ratio >= target else "BELOW"
    return (
        f"{label:<44} {value:8.1f} req/s   floor {floor:8.1f} req/s   "
        f"ratio {ratio:4.2f}x  (target >= {target}x: {verdict})"
    )


# --- Figures ------------------------------------------------------------------------------


def page_figures(session, cast) -> list[str]:
    checklist_url = f"http://127.0.0.1:{APP_PORT}/checklists/{cast['checklist'].pk}/"
    project_url = f"http://127.0.0.1:{APP_PORT}/projects/{cast['project'].pk}/"
    floor_url = f"http://127.0.0.1:{FLOOR_PORT}/"
    cookie = session.cookie_header()
    wrk(checklist_url, cookie)  # warm both up: caches, connections, compiled templates
    wrk(floor_url)
    floors, pages, projects = [], [], []
    for _round in range(2):  # alternate, so that both see the same machine
        floors.append(wrk(floor_url))
        pages.append(wrk(checklist_url, cookie))
        projects.append(wrk(project_url, cookie))
    floor = statistics.median(floors)
    RESULTS.update(
        floor=floor,
        checklist_ratio=statistics.median(pages) / floor,
        project_ratio=statistics.median(projects) / floor,
    )
    lines = [
        ratio_line("checklist page, 100 items", statistics.median(pages), floor, 0.5),
        ratio_line("project page", statistics.median(projects), floor, 0.5),
    ]
    texts = item_text_bytes(cast["checklist"]) / ITEMS / 1024
    for label, checklist in (
        ("checklist page HTML per item", cast["checklist"]),
        ("  the same, every item answered", cast["full"]),
    ):
        status, html = session.request("GET", f"/checklists/{checklist.pk}/")
        assert status == 200
        per_item = len(html) / ITEMS / 1024
        lines.append(
            f"{label:<44} {per_item:8.2f} KB  "
            f"(target <= 1.2 KB: {'meets' if per_item <= 1.2 else 'ABOVE'}; of which the "
            f"question and topics {texts:.2f} KB, markup and answers {per_item - texts:.2f} KB)"
        )
    status, guidance = session.request("GET", f"/checklists/{cast['checklist'].pk}/guidance/")
    assert status == 200
    lines.append(
        f"{'  its guidance page, per item':<44} {len(guidance) / ITEMS / 1024:8.2f} KB  "
        "(each item's guidance and source: fetched by the page, a 304 once the browser has it)"
    )
    return lines


def item_text_bytes(checklist) -> int:
    """What the items' questions and topic names weigh, escaped as the page prints them:
    the content, as against the markup around it (the guidance and source are on the
    checklist's guidance page)."""
    from html import escape

    from checklists.models import Item

    items = Item.objects.filter(framework_id=checklist.framework_id).prefetch_related("topics")
    return sum(
        len(escape(text).encode())
        for item in items
        for text in (
            item.question_en,
            " · ".join(t.name_en for t in item.topics.all()),
        )
    )


def transfer_figures(session, cast) -> list[str]:
    """What a browser downloads, compressed, for the real design checklist."""
    path = f"/checklists/{cast['design'].pk}/"
    status, html = session.request("GET", path, headers={"Accept-Encoding": "gzip"})
    assert status == 200
    page = gzip.decompress(html).decode() if html[:2] == b"\x1f\x8b" else html.decode()
    assets = re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js|svg))"', page)
    first = len(html)
    for asset in assets:
        _status, body = session.request("GET", asset, headers={"Accept-Encoding": "gzip"})
        first += len(body)
    # The script fetches the checklist's guidance page; on a repeat visit the browser asks
    # again with its ETag and gets a 304 with no body.
    guidance_path = f"/checklists/{cast['design'].pk}/guidance/"
    headers = {"Accept-Encoding": "gzip"}
    _status, guidance = session.request("GET", guidance_path, headers=headers)
    first += len(guidance)
    etag = session.headers["etag"]
    status, again = session.request(
        "GET", guidance_path, headers={**headers, "If-None-Match": etag}
    )
    assert status == 304, status
    hashed = all(re.search(r"\.[0-9a-f]{12}\.", asset) for asset in assets)
    # Hashed static files are cached for a year: only the page again, and the 304.
    repeat = len(html) + len(again)
    return [
        f"{'first visit, design checklist (compressed)':<44} {first / 1024:8.1f} KB  "
        f"(target < 60 KB: {'meets' if first < 60 * 1024 else 'ABOVE'}; "
        f"{len(assets)} static files, hashed names: {hashed}; the guidance page)",
        f"{'repeat visit, design checklist (compressed)':<44} {repeat / 1024:8.1f} KB  "
        f"(target < 15 KB: {'meets' if repeat < 15 * 1024 else 'ABOVE'})",
    ]


def save_statements(cast) -> tuple[int, int]:
    """SQL statements of one autosave request that changes a response, counted in this
    process: all of them, and those that are not BEGIN or COMMIT."""
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(cast["user"])
    answer = cast["checklist"].answers.order_by("-item__order").first()
    url = f"/checklists/{cast['checklist'].pk}/answers/{answer.pk}/"
    counted = []
    for response in ("yes", "na", "yes"):
        answer.refresh_from_db()
        data = {
            f"a{answer.pk}-response": response,
            f"a{answer.pk}-not_applicable_reason": "No such activity.",
            f"a{answer.pk}-version": answer.version,
        }
        with CaptureQueriesContext(connection) as queries:
            response = client.post(url, data)
        assert response.status_code == 200, response.content
        counted.append(queries.captured_queries)
    last = counted[-1]
    statements = [q for q in last if q["sql"] not in ("BEGIN", "COMMIT")]
    return len(last), len(statements)


def saver(session, checklist_id, answers, start_at, results):
    """One client in its own process (16 threads in one Python would measure the client's
    lock, not the server): saves from start_at for DURATION seconds, on a new connection."""
    session.connection = http.client.HTTPConnection("127.0.0.1", APP_PORT, timeout=30)
    versions = dict(answers)
    time.sleep(max(0.0, start_at - time.time()))
    deadline, latencies, n = start_at + DURATION, [], 0
    while time.time() < deadline:
        answer = answers[n % len(answers)][0]
        n += 1
        data = {
            f"a{answer}-response": "yes",
            f"a{answer}-comment": f"Checked on site, visit {n}.",
            f"a{answer}-version": versions[answer],
        }
        started = time.perf_counter()
        status, body = session.request(
            "POST",
            f"/checklists/{checklist_id}/answers/{answer}/",
            data,
            headers={"Accept": "application/json"},
        )
        latencies.append(time.perf_counter() - started)
        if status != 200:
            results.put(("error", (status, body[:200])))
            return
        versions[answer] = int(re.search(rb'"version": (\d+)', body)[1])
    results.put(("latencies", latencies))


def autosave_figures(cast) -> list[str]:
    checklist = cast["checklist"]
    everything, statements = save_statements(cast)
    forked = multiprocessing.get_context("fork")
    results = {1: [], 4: [], 16: []}
    # Alternate, so that all see the same machine (its speed drifts with its neighbours), and
    # take the median of ROUNDS rounds each: 4 and 16 clients both keep the server busy, so
    # their totals differ by little more than the drift.
    for clients in (1, 4, 16) * ROUNDS:
        sessions = [Session("field.staff") for _ in range(clients)]
        answers = list(checklist.answers.order_by("item__order").values_list("pk", "version"))
        connection.close()  # the clients are forked processes: none may share it
        queue, start_at = forked.Queue(), time.time() + 1
        processes = [
            forked.Process(
                target=saver,
                # different items for each client
                args=(session, checklist.pk, answers[index::clients][:20], start_at, queue),
            )
            for index, session in enumerate(sessions)
        ]
        for process in processes:
            process.start()
        latencies = []
        for _process in processes:
            kind, value = queue.get()
            if kind == "error":
                sys.exit(f"autosave error: {value}")
            latencies += value
        for process in processes:
            process.join()
        results[clients].append((len(latencies) / DURATION, statistics.median(latencies) * 1000))
    one, four, sixteen = (
        tuple(map(statistics.median, zip(*results[n], strict=True))) for n in (1, 4, 16)
    )
    # Four clients already keep both cores busy, so sixteen can at best equal them: "no
    # slower" is judged against the slowest four-client round, the machine's own drift.
    four_rounds = sorted(total for total, _p50 in results[4])
    no_drop = sixteen[0] >= four_rounds[0]
    RESULTS.update(
        save_statements=statements,
        saves_one=one[0],
        save_p50_ms=one[1],
        saves_four=four[0],
        saves_four_slowest=four_rounds[0],
        saves_sixteen=sixteen[0],
    )
    return [
        f"{'autosave: SQL statements per save':<44} {statements:8d}      "
        f"(target <= 8: {'meets' if statements <= 8 else 'ABOVE'}; "
        f"{everything} with BEGIN and COMMIT)",
        f"{'autosave, one client':<44} {one[0]:8.1f} saves/s  p50 {one[1]:.1f} ms  "
        f"(target >= 40/s, p50 < 25 ms: {'meets' if one[0] >= 40 and one[1] < 25 else 'BELOW'})",
        f"{'autosave, 4 clients, one checklist':<44} {four[0]:8.1f} saves/s  p50 {four[1]:.1f} ms"
        f"  ratio {four[0] / one[0]:.2f}x one client "
        f"(target >= 1.8x: {'meets' if four[0] / one[0] >= 1.8 else 'BELOW'})",
        f"{'autosave, 16 clients, one checklist':<44} {sixteen[0]:8.1f} saves/s  "
        f"p50 {sixteen[1]:.1f} ms  ratio {sixteen[0] / four[0]:.2f}x four clients, whose "
        f"rounds made {four_rounds[0]:.1f}-{four_rounds[-1]:.1f} (target: no slower in total "
        f"than 4: {'meets' if no_drop else 'BELOW'})",
    ]


def portfolio_manager() -> User:
    """A manager of every office (the bench data set's and the field office): the whole
    portfolio on the dashboard, as an HQ manager has it, without the second factor HQ-wide
    roles need to sign in."""
    manager, created = User.objects.get_or_create(username="field.manager")
    if created:
        manager.set_password(PASSWORD)
        manager.save()
    held = set(manager.memberships.values_list("office_id", flat=True))
    Membership.objects.bulk_create(
        Membership(user=manager, office=office, role=Role.MANAGER)
        for office in Office.objects.exclude(pk__in=held).exclude(is_headquarters=True)
    )
    return manager


def dashboard_figures() -> list[str]:
    """The portfolio dashboard of every project, one client, median of DURATION seconds;
    and its SQL statements, counted in this process."""
    manager = portfolio_manager()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(manager)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/portfolio/").status_code == 200
    session = Session("field.manager")
    session.request("GET", "/portfolio/")  # warm up
    latencies = []
    deadline = time.perf_counter() + DURATION
    while time.perf_counter() < deadline or len(latencies) < 5:
        started = time.perf_counter()
        status, _page = session.request("GET", "/portfolio/")
        latencies.append(time.perf_counter() - started)
        assert status == 200, status
    p50 = statistics.median(latencies) * 1000
    RESULTS.update(dashboard_p50_ms=p50, dashboard_statements=len(queries))
    projects = Project.objects.count()
    return [
        f"{f'dashboard, all {projects:,} projects, one client':<44} p50 {p50:8.1f} ms  "
        f"({len(queries)} SQL statements; target at 2,000 projects < 300 ms)"
    ]


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("Run it on PostgreSQL (DATABASE_URL), as production does.")
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    cast = prepare()
    connection.close()
    app = serve("pmapp.wsgi", APP_PORT)
    floor = serve("bench.floor:application", FLOOR_PORT, settings_module="bench.floor")
    try:
        session = Session("field.staff")
        lines = page_figures(session, cast) + transfer_figures(session, cast)
        lines += autosave_figures(cast)
        lines += dashboard_figures()
    finally:
        app.terminate()
        floor.terminate()
        app.wait()
        floor.wait()
    RESULTS["projects"] = Project.objects.count()
    print("\n".join(lines))
    if os.environ.get("BENCH_JSON"):
        Path(os.environ["BENCH_JSON"]).write_text(json.dumps(RESULTS))


if __name__ == "__main__":
    main()
