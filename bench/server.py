"""What the HTTP benchmarks share: production settings on loopback, and gunicorn."""

import http.client
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Production settings, without HTTPS (loopback only); database connections kept, as
# production does (a new PostgreSQL connection per request costs more than most pages).
SERVER_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "bench-only-" + "k" * 40,
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    "SECURE_HSTS_SECONDS": "0",
    "LOG_LEVEL": "WARNING",
    "DB_CONN_MAX_AGE": "600",
}


def serve(wsgi: str, port: int, *, settings_module="pmapp.settings", threads=1):
    """gunicorn with 2 workers on a loopback port, once it answers."""
    process = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            wsgi,
            "--workers",
            "2",
            "--threads",
            str(threads),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": settings_module},
    )
    for _ in range(100):
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/")
            return process
        except OSError:
            time.sleep(0.1)
    sys.exit(f"{wsgi} did not start on port {port}")
