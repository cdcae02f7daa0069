"""Two app servers, one database, one object store: whatever one server writes, the other
serves (checklists, answers, evidence files, report files). CI runs it after the tests.

    createdb -h 127.0.0.1 -U postgres pmapp_two
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pmapp_two .venv/bin/python bench/two_servers.py

Starts an S3-compatible server (moto's server mode) with a private bucket, two gunicorn
instances (2 workers each, production settings) and the task worker, all on loopback, then
checks each point below through HTTP and exits non-zero on the first that fails.
"""

import http.client
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.server import SERVER_ENV, serve  # noqa: E402

PORT_A, PORT_B = 8111, 8112
PASSWORD = "two-servers-password"
PDF = b"%PDF-1.7\n% risk analysis, site visit of 3 March\n%%EOF\n"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_object_store() -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    sys.exit("moto_server did not start")


class Browser:
    """A signed-in person on one server; the session cookie can move to the other one."""

    def __init__(self, port: int, cookies=None):
        self.port = port
        self.cookies = dict(cookies or {})

    def on(self, port: int) -> "Browser":
        return Browser(port, self.cookies)

    def request(self, method, path, body=None, content_type=None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if method == "POST":
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
            headers["Content-Type"] = content_type or "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, content, response

    def log_in(self, username: str) -> "Browser":
        _status, page, _response = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1].decode()
        form = {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD}
        body = urllib.parse.urlencode(form)
        status, _body, _response = self.request("POST", "/accounts/login/", body)
        check(status == 302, f"{username} signs in on :{self.port}")
        return self

    def upload(self, path: str, name: str, content: bytes):
        boundary = uuid.uuid4().hex
        head = (
            f"--{boundary}\r\nContent-Disposition: form-data; "
            f'name="file"; filename="{name}"\r\nContent-Type: application/pdf\r\n\r\n'
        )
        body = head.encode() + content + f"\r\n--{boundary}--\r\n".encode()
        return self.request("POST", path, body, f"multipart/form-data; boundary={boundary}")


def check(condition: bool, what: str) -> None:
    print(f"{'ok ' if condition else 'FAILED'}  {what}")
    if not condition:
        raise SystemExit(1)


def prepare(cast_env: dict) -> dict:
    os.environ.update(cast_env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmapp.settings")
    import django

    django.setup()
    import boto3
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.db import connection

    from checklists import workflow
    from checklists.models import Checklist
    from projects.models import Membership, Office, Project, Region, Role

    if connection.vendor != "postgresql":
        sys.exit("Run it on PostgreSQL (DATABASE_URL): two servers share one database.")
    boto3.client(
        "s3",
        endpoint_url=cast_env["S3_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    ).create_bucket(Bucket=cast_env["S3_BUCKET"])
    call_command("migrate", verbosity=0)
    call_command("load_framework", verbosity=0)
    call_command("collectstatic", "--no-input", verbosity=0)
    region, _ = Region.objects.get_or_create(code="two", defaults={"name": "Two"})
    office, _ = Office.objects.get_or_create(
        code="TWO", defaults={"name": "Two servers office", "region": region}
    )
    people = {}
    for username, role in (("two.staff", Role.STAFF), ("two.manager", Role.MANAGER)):
        person, created = User.objects.get_or_create(username=username)
        person.set_password(PASSWORD)
        person.save()
        Membership.objects.get_or_create(user=person, office=office, role=role)
        people[username] = person
    project, _ = Project.objects.get_or_create(
        code="TWO-01",
        defaults={
            "title": "Water points for two villages",
            "office": office,
            "start_date": "2026-01-01",
            "end_date": "2026-12-31",
        },
    )
    checklist = Checklist.objects.filter(project=project).first() or workflow.start_checklist(
        project=project, user=people["two.staff"]
    )
    answer = checklist.answers.order_by("item__order").first()
    connection.close()
    return {"checklist": checklist.pk, "answer": answer.pk, "version": answer.version}


def objects_in_bucket(storage_env) -> list[str]:
    import boto3

    s3 = boto3.client(
        "s3",
        endpoint_url=storage_env["S3_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    listing = s3.list_objects_v2(Bucket=storage_env["S3_BUCKET"])
    return [item["Key"] for item in listing.get("Contents", [])]


def main() -> None:
    store, endpoint = start_object_store()
    storage_env = {
        "S3_BUCKET": f"pmapp-two-{uuid.uuid4().hex[:8]}",
        "S3_ENDPOINT_URL": endpoint,
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY_ID": "test",
        "S3_SECRET_ACCESS_KEY": "test",
    }
    processes = [store]
    try:
        cast = prepare({**SERVER_ENV, **storage_env})
        processes.append(
            subprocess.Popen(
                [str(ROOT / ".venv" / "bin" / "python"), "manage.py", "db_worker"],
                cwd=ROOT,
                env=os.environ.copy(),
                stdout=subprocess.DEVNULL,
            )
        )
        processes += [serve("pmapp.wsgi", PORT_A), serve("pmapp.wsgi", PORT_B)]
        run_checks(cast)
        stored = objects_in_bucket(storage_env)
        check(
            any(k.startswith("evidence/") for k in stored)
            and any(k.startswith("reports/") for k in stored),
            f"the evidence and the report are objects in the bucket ({len(stored)} objects)",
        )
    finally:
        for process in reversed(processes):
            process.terminate()
            process.wait()


def run_checks(cast) -> None:
    checklist, answer = cast["checklist"], cast["answer"]
    staff_a = Browser(PORT_A).log_in("two.staff")
    staff_b = staff_a.on(PORT_B)
    # Several visits, so that each of B's workers keeps the page rendered (in its memory)
    # before A changes an answer: what B serves next must come from the change, not the copy.
    for _visit in range(4):
        status, _page, _r = staff_b.request("GET", f"/checklists/{checklist}/")
    check(status == 200, "the session made on server A opens the checklist on server B")
    form = {
        f"a{answer}-response": "partial",
        f"a{answer}-comment": "Saved through server A.",
        f"a{answer}-version": cast["version"],
    }
    status, _body, _r = staff_a.request(
        "POST", f"/checklists/{checklist}/answers/{answer}/", urllib.parse.urlencode(form)
    )
    check(status == 200, "an answer saved on server A")
    pages = [staff_b.request("GET", f"/checklists/{checklist}/")[1] for _visit in range(4)]
    check(
        all(b"Saved through server A." in page for page in pages),
        "server B shows the answer saved on server A at once, from each of its workers",
    )

    status, _body, _r = staff_a.upload(
        f"/checklists/{checklist}/answers/{answer}/evidence/", "risk-analysis.pdf", PDF
    )
    check(status == 302, "an evidence file uploaded to server A")
    _status, evidence_page, _r = staff_b.request(
        "GET", f"/checklists/{checklist}/answers/{answer}/evidence/"
    )
    link = re.search(rb'href="(/checklists/\d+/evidence/\d+/)"', evidence_page)
    check(link is not None, "server B lists the file uploaded on server A")
    status, body, _r = staff_b.request("GET", link[1].decode())
    check(status == 200 and body == PDF, "server B streams the same bytes from the object store")

    manager_b = Browser(PORT_B).log_in("two.manager")
    status, _body, response = manager_b.request(
        "POST", "/portfolio/files/", urllib.parse.urlencode({"kind": "portfolio_xlsx"})
    )
    report_path = response.getheader("Location", "")
    check(status == 302 and "/portfolio/files/" in report_path, "a report asked for on server B")
    manager_a = manager_b.on(PORT_A)
    download = f"{report_path.rstrip('/')}/download/"
    for _ in range(120):
        status, body, _r = manager_a.request("GET", download)
        if status == 200:
            break
        time.sleep(0.5)
    check(status == 200 and body[:2] == b"PK", "the worker's report file is served by server A")
    _status, again, _r = manager_b.request("GET", download)
    check(again == body, "server B serves the same report file")
    print("Two app servers, one database and one object store serve the same data.")


if __name__ == "__main__":
    main()
