"""Logs an operator can use: JSON lines (LOG_FORMAT=json), one a request with the user id,
the status and the duration, and never a password, a token or what someone typed; errors
to Sentry only when SENTRY_DSN is set, without the request's body."""

import json
import logging
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.urls import reverse

from operations.logs import JsonFormatter
from projects.access_tokens import issue_token
from tests.factories import answer_data, start_project_checklist

from .databases import ROOT

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-2026"
TYPED = "someone-typed-this-2026"
COMMENT = "Women said the distribution point is unsafe after dark"


@pytest.fixture
def request_lines(caplog):
    caplog.set_level(logging.INFO, logger="pmapp.requests")

    def lines() -> list[dict]:
        formatter = JsonFormatter()
        return [
            json.loads(formatter.format(record))
            for record in caplog.records
            if record.name == "pmapp.requests"
        ]

    return lines


def test_one_line_per_request_with_user_status_and_duration(
    client, staff_a, office_a, request_lines
):
    staff_a.set_password(PASSWORD)
    staff_a.save()
    _project, checklist = start_project_checklist(office=office_a, staff=staff_a)
    answer = checklist.answers.first()
    client.post(reverse("login"), {"username": "staff_a", "password": PASSWORD})
    client.post(
        reverse("checklists:answer-save", args=[checklist.pk, answer.pk]),
        answer_data(answer, response="yes", comment=COMMENT),
        HTTP_ACCEPT="application/json",
    )
    client.get(reverse("checklists:detail", args=[checklist.pk]) + "?filter=unanswered")
    _token, secret = issue_token(user=staff_a, name="bi", lifetime_days=30)
    client.logout()
    client.get("/api/v1/projects/", HTTP_AUTHORIZATION=f"Bearer {secret}")

    lines = request_lines()
    assert [(line["method"], line["status"]) for line in lines] == [
        ("POST", 302),
        ("POST", 200),
        ("GET", 200),
        ("GET", 200),
    ]
    login, save, page, api = lines
    assert login["path"] == "/accounts/login/" and login["user_id"] == staff_a.pk
    assert save["user_id"] == page["user_id"] == api["user_id"] == staff_a.pk
    assert all(isinstance(line["duration_ms"], float) for line in lines)
    assert all(line["logger"] == "pmapp.requests" and line["level"] == "INFO" for line in lines)
    assert page["path"] == f"/checklists/{checklist.pk}/"  # no query string
    everything = json.dumps(lines)
    for secret_text in (PASSWORD, COMMENT, secret, "unanswered", "sessionid", "csrftoken"):
        assert secret_text not in everything


def test_an_anonymous_request_has_no_user_and_costs_no_query(
    client, request_lines, django_assert_num_queries
):
    with django_assert_num_queries(0):
        client.get(reverse("operations:live"))
    (line,) = request_lines()
    assert line["user_id"] is None and line["status"] == 200


def test_an_error_is_one_json_line_with_its_stack_but_not_the_request():
    formatter = JsonFormatter()
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.getLogger("django.request").makeRecord(
            "django.request",
            logging.ERROR,
            __file__,
            1,
            "Internal Server Error: %s",
            ("/checklists/1/",),
            sys.exc_info(),
            extra={"request": object(), "status_code": 500},
        )
    line = formatter.format(record)
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["message"] == "Internal Server Error: /checklists/1/"
    assert "ValueError: boom" in parsed["exception"]
    assert "request" not in parsed


def run_app(script: str, **env) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pmapp.settings",
        "DEBUG": "true",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + script],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_log_format_json_makes_every_line_json(tmp_path):
    done = run_app(
        "import logging\n"
        "from django.test import Client\n"
        "Client(HTTP_HOST='localhost').get('/health/live/')\n"
        "logging.getLogger('checklists').warning('A warning from the app')\n",
        LOG_FORMAT="json",
        DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}",
    )
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stderr.splitlines() if line.strip()]
    assert {"logger": "pmapp.requests", "path": "/health/live/", "status": 200}.items() <= (
        lines[0].items()
    )
    assert lines[1]["message"] == "A warning from the app"
    assert len(lines) == 2


def test_text_logs_leave_requests_to_the_web_server(tmp_path):
    done = run_app(
        "from django.test import Client\nClient(HTTP_HOST='localhost').get('/health/live/')\n",
        DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}",
    )
    assert done.returncode == 0 and done.stderr == ""


class SentryIntake(BaseHTTPRequestHandler):
    """Stands in for Sentry's server: keeps what the SDK sends."""

    received: list[bytes] = []

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            import gzip

            body = gzip.decompress(body)
        elif self.headers.get("Content-Encoding") == "br":
            import brotli

            body = brotli.decompress(body)
        SentryIntake.received.append(body)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_errors_reach_sentry_without_the_request_body_when_sentry_dsn_is_set(tmp_path):
    server = HTTPServer(("127.0.0.1", 0), SentryIntake)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    SentryIntake.received = []
    script = (
        "import sentry_sdk\n"
        "from django.test import Client\n"
        "from projects import views\n"
        "def broken(self, request, *args, **kwargs):\n"
        "    raise RuntimeError('the login page broke')\n"
        "views.LoginView.post = broken\n"
        "client = Client(HTTP_HOST='localhost', raise_request_exception=False)\n"
        "response = client.post(\n"
        f"    '/accounts/login/', {{'username': '{TYPED}', 'password': '{PASSWORD}'}}\n"
        ")\n"
        "assert response.status_code == 500, response.status_code\n"
        "sentry_sdk.flush(timeout=10)\n"
    )
    try:
        done = run_app(
            script,
            SENTRY_DSN=f"http://public@127.0.0.1:{server.server_port}/1",
            DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}",
            LOG_LEVEL="CRITICAL",
        )
    finally:
        server.shutdown()
    assert done.returncode == 0, done.stderr
    sent = b"".join(SentryIntake.received).decode(errors="replace")
    assert "the login page broke" in sent
    # Neither the password (Sentry's scrubber alone would filter that field) nor anything
    # else the person typed.
    assert PASSWORD not in sent and TYPED not in sent


def test_nothing_goes_to_sentry_by_default():
    import sentry_sdk
    from django.conf import settings

    assert settings.SENTRY_DSN == "" or os.environ.get("SENTRY_DSN")
    assert not sentry_sdk.get_client().is_active()
