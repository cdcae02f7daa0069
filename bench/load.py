"""Load test: 50 people filling checklists at once for 60 s against gunicorn on PostgreSQL.

    createdb -h 127.0.0.1 -U postgres pmapp_load
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pmapp_load .venv/bin/python bench/load.py

Starts gunicorn (2 workers) on a loopback port, logs 50 staff members in, and has each one
change answers of their own checklist (the autosave endpoint) and open pages, for a bounded
time. Reports throughput, latency percentiles and errors, then checks that every save the
server acknowledged is in the database: the target is zero errors and zero lost answers.
Traffic goes to 127.0.0.1 only.
"""

import argparse
import http.cookiejar
import json
import os
import random
import re
import statistics
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.server import SERVER_ENV, serve  # noqa: E402

os.environ.update(SERVER_ENV)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmapp.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from checklists import workflow  # noqa: E402
from checklists.models import Answer, Checklist, Phase  # noqa: E402
from projects.models import Membership, Office, Project, Region, Role, Sector  # noqa: E402

PASSWORD = "load-test-password"
RESPONSES = ["yes", "partial", "no", "na"]


def prepare(users: int) -> list[tuple[str, int]]:
    """One staff member and one draft checklist each; returns (username, checklist id)."""
    from django.contrib.auth.models import User

    call_command("migrate", verbosity=0)
    call_command("load_framework", verbosity=0)
    call_command("collectstatic", "--no-input", verbosity=0)
    region, _ = Region.objects.get_or_create(code="load", defaults={"name": "Load"})
    office, _ = Office.objects.get_or_create(
        code="LOAD", defaults={"name": "Load office", "region": region}
    )
    design = Phase.objects.get(code="design")
    cast = []
    for n in range(users):
        user, created = User.objects.get_or_create(username=f"load{n:02d}")
        if created:
            user.set_password(PASSWORD)
            user.save()
            Membership.objects.create(user=user, office=office, role=Role.STAFF)
        project, created = Project.objects.get_or_create(
            code=f"LOAD-{n:02d}",
            defaults={
                "title": "Load",
                "office": office,
                "start_date": "2026-01-01",
                "end_date": "2026-12-31",
                "current_phase": design,
            },
        )
        if created:
            project.sectors.set(Sector.objects.all()[:1])
        checklist = Checklist.objects.filter(project=project).first() or workflow.start_checklist(
            project=project, user=user
        )
        cast.append((user.username, checklist.pk))
    return cast


class VirtualUser(threading.Thread):
    def __init__(self, base, username, checklist_id, deadline, results):
        super().__init__(daemon=True)
        self.base, self.username, self.checklist_id = base, username, checklist_id
        self.deadline, self.results = deadline, results
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.acknowledged = {}  # answer id -> (version, response, comment)
        self.rng = random.Random(username)

    def csrf(self):
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def request(self, label, path, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body)
        if data is not None:
            req.add_header("X-CSRFToken", self.csrf())
        started = time.perf_counter()
        try:
            with self.opener.open(req, timeout=30) as response:
                status, content = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, content = error.code, error.read()
        except OSError as error:
            status, content = 0, str(error).encode()
        self.results.append((label, status, time.perf_counter() - started))
        return status, content

    def run(self):
        self.request("login page", "/accounts/login/")
        self.request("login", "/accounts/login/", {"username": self.username, "password": PASSWORD})
        status, page = self.request("checklist page", f"/checklists/{self.checklist_id}/")
        html = page.decode()
        versions = {
            int(pk): int(v) for pk, v in re.findall(r'name="a(\d+)-version" value="(\d+)"', html)
        }
        while time.monotonic() < self.deadline:
            if self.rng.random() < 0.15:
                self.request("project list", "/")
                continue
            answer_id = self.rng.choice(list(versions))
            response = self.rng.choice(RESPONSES)
            comment = f"{self.username} {time.monotonic():.3f}"
            data = {
                f"a{answer_id}-version": versions[answer_id],
                f"a{answer_id}-response": response,
                f"a{answer_id}-comment": comment,
            }
            if response == "na":
                data[f"a{answer_id}-not_applicable_reason"] = "No such activity."
            status, content = self.request(
                "autosave", f"/checklists/{self.checklist_id}/answers/{answer_id}/", data
            )
            if status == 200:
                versions[answer_id] = json.loads(content)["version"]
                self.acknowledged[answer_id] = (versions[answer_id], response, comment)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    cast = prepare(args.users)
    server = serve("pmapp.wsgi", args.port, threads=4)
    base = f"http://127.0.0.1:{args.port}"
    try:
        results = []
        deadline = time.monotonic() + args.seconds
        users = [VirtualUser(base, name, checklist, deadline, results) for name, checklist in cast]
        started = time.monotonic()
        for user in users:
            user.start()
        for user in users:
            user.join(timeout=args.seconds + 60)
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=30)

    errors = [(label, status) for label, status, _ in results if status == 0 or status >= 400]
    lost = 0
    for user in users:
        stored = {a.pk: a for a in Answer.objects.filter(pk__in=user.acknowledged)}
        for answer_id, (version, response, comment) in user.acknowledged.items():
            answer = stored[answer_id]
            if (answer.version, answer.response, answer.comment) != (version, response, comment):
                lost += 1
    saves = [d for label, status, d in results if label == "autosave"]
    everything = [d for _label, _status, d in results]
    print(
        f"{args.users} users for {args.seconds} s against gunicorn (2 workers x 4 threads), "
        f"database {django.db.connection.vendor}"
    )
    acknowledged = sum(1 for label, status, _ in results if label == "autosave" and status == 200)
    print(
        f"requests: {len(results)} in {elapsed:.1f} s = {len(results) / elapsed:.0f} requests/s; "
        f"autosaves acknowledged: {acknowledged}"
    )
    print(
        f"latency, all requests: p50 {statistics.median(everything) * 1000:.0f} ms, "
        f"p95 {percentile(everything, 0.95) * 1000:.0f} ms, "
        f"p99 {percentile(everything, 0.99) * 1000:.0f} ms"
    )
    print(
        f"latency, autosave: p50 {statistics.median(saves) * 1000:.0f} ms, "
        f"p95 {percentile(saves, 0.95) * 1000:.0f} ms, p99 {percentile(saves, 0.99) * 1000:.0f} ms"
    )
    print(f"errors: {len(errors)} {sorted(set(errors))[:10]}")
    print(f"lost answers (acknowledged but not in the database): {lost}")
    sys.exit(1 if errors or lost else 0)


if __name__ == "__main__":
    main()
