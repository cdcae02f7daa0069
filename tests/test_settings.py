"""Production settings refuse to be unsafe; SQLite runs as a single-office server would."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core import checks

from .factories import make_user


def run_settings(**env) -> subprocess.CompletedProcess:
    """``manage.py check`` with these environment variables, on a database of its own."""
    environment = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    environment["DATABASE_URL"] = "sqlite:///:memory:"
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_settings(DEBUG="false", ALLOWED_HOSTS="pm.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "secrets.token_urlsafe" in result.stderr  # says what to do


def test_production_refuses_the_public_development_key():
    result = run_settings(
        DEBUG="false", ALLOWED_HOSTS="pm.example.org", SECRET_KEY=settings.DEVELOPMENT_SECRET_KEY
    )
    assert result.returncode != 0
    assert "public development key" in result.stderr


def test_a_first_run_with_debug_needs_no_key():
    result = run_settings(DEBUG="true")
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
def test_deploy_check_warns_about_accounts_with_the_demo_password():
    from checklists.management.commands.load_demo_data import DEMO_PASSWORD

    def warnings():
        return [
            message
            for message in checks.run_checks(include_deployment_checks=True)
            if message.id == "pmapp.W001"
        ]

    assert warnings() == []
    user = make_user(username="staff.iraq")
    user.set_password(DEMO_PASSWORD)
    user.save()
    found = warnings()
    assert len(found) == 1 and "staff.iraq" in found[0].msg
    user.set_password("a-new-and-private-passphrase")
    user.save()
    assert warnings() == []


SQLITE_PROBE = """
import django
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    journal = cursor.fetchone()[0]
    cursor.execute("PRAGMA busy_timeout")
    timeout = cursor.fetchone()[0]
print(journal, timeout, connection.settings_dict["OPTIONS"]["transaction_mode"])
print(connection.settings_dict["TEST"]["NAME"])
"""


def test_sqlite_runs_as_a_single_office_server_would(tmp_path):
    """WAL (readers never wait), a busy timeout and IMMEDIATE transactions (a writer waits
    its turn instead of failing with "database is locked"), tests on a file."""
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'office.sqlite3'}"}
    result = subprocess.run(
        [sys.executable, "-c", SQLITE_PROBE],
        cwd=settings.BASE_DIR,
        env={**environment, "DJANGO_SETTINGS_MODULE": "pmapp.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    modes, test_name = result.stdout.splitlines()
    journal, timeout, transaction_mode = modes.split()
    assert (journal, transaction_mode) == ("wal", "IMMEDIATE")
    assert int(timeout) >= 5000
    assert test_name.endswith(".sqlite3")  # threads of the browser tests get their own connections


def test_debug_is_off_unless_it_is_set_on():
    # Nothing set: DEBUG is off, so the app refuses the public key rather than showing
    # Django's technical pages to the world.
    result = run_settings(ALLOWED_HOSTS="pm.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_the_sign_out_form_may_end_at_the_organisations_provider():
    environment = {**os.environ, "DEBUG": "true", "DATABASE_URL": "sqlite:///:memory:"}
    environment["OIDC_OP_LOGOUT_ENDPOINT"] = "https://login.example.org/oidc/logout?x=1"
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings as s;"
            "print(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action'])",
        ],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.strip().splitlines()[-1] == "[\"'self'\", 'https://login.example.org']", (
        result.stderr
    )
