"""The test database as a DATABASE_URL, for the commands the tests run in processes of
their own (the task worker, bin/backup, bin/restore), as an operator runs them."""

import os
import subprocess
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def database_url(name: str | None = None) -> str:
    """The URL of the test database (or of another database on the same server)."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{name or settings['NAME']}"
    user = quote(settings["USER"] or "")
    password = f":{quote(settings['PASSWORD'])}" if settings["PASSWORD"] else ""
    host = settings["HOST"] or "localhost"
    port = f":{settings['PORT']}" if settings["PORT"] else ""
    return f"postgres://{user}{password}@{host}{port}/{name or settings['NAME']}"


def run(command: list[str], env: dict | None = None, timeout=300) -> subprocess.CompletedProcess:
    """Runs a command from the project's folder with the test database's URL."""
    environment = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DEBUG": "true",
        "LOG_LEVEL": "WARNING",
        **(env or {}),
    }
    return subprocess.run(
        command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=timeout
    )
