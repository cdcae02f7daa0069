"""Logs an operator can use: with LOG_FORMAT=json, every log line is one JSON object, and
every request gives one line (method, path, status, duration, user id).

What is never logged: request bodies (passwords, answer text, comments), headers (tokens,
cookies) and query strings (filters people typed). The path is enough to find the page;
the user id is enough to find the person, in the admin.
"""

import datetime
import json
import logging
import time

from django.utils.functional import empty

request_logger = logging.getLogger("pmapp.requests")

# The only extra fields a JSON line carries: never the request object that Django's own
# loggers attach (its body and headers would follow).
REQUEST_FIELDS = ("method", "path", "status", "duration_ms", "user_id")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in REQUEST_FIELDS:
            if hasattr(record, field):
                line[field] = getattr(record, field)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def user_id_of(request) -> int | None:
    """The signed-in user's id, if this request looked the user up anyway: reading it here
    would cost a query on pages that need none (and fail on /health/ with the database
    down)."""
    user = getattr(request, "user", None)
    if user is None:
        return None
    if getattr(user, "_wrapped", None) is empty:
        return None
    return user.pk if user.is_authenticated else None


class RequestLogMiddleware:
    """One log line per request, at INFO on the "pmapp.requests" logger (on with
    LOG_FORMAT=json; with text logs the web server's access log does this job)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        response = self.get_response(request)
        if request_logger.isEnabledFor(logging.INFO):
            duration_ms = round((time.monotonic() - started) * 1000, 1)
            request_logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                    "user_id": user_id_of(request),
                },
            )
        return response


def logging_settings(log_format: str, *, level: str) -> dict:
    """Django's LOGGING: plain lines ("text") or one JSON object a line ("json", with one
    line a request), every line kept to one line."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"one_line": {"()": "projects.log_lines.OneLine"}},
        "formatters": {"json": {"()": "operations.logs.JsonFormatter"}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["one_line"],
                **({"formatter": "json"} if log_format == "json" else {}),
            }
        },
        "root": {"handlers": ["console"], "level": level},
        # WeasyPrint reports every layout step at INFO; only its warnings matter here.
        "loggers": {
            "weasyprint": {"level": "WARNING"},
            "weasyprint.progress": {"level": "WARNING"},
            "fontTools": {"level": "WARNING"},
            "axes": {"level": "WARNING"},
            "pmapp.requests": {"level": "INFO" if log_format == "json" else "WARNING"},
        },
    }


def start_error_reporting(dsn: str, environment: str) -> None:
    """Errors (with their stack, never the request's body, cookies or local variables, nor
    who was signed in) go to Sentry, a self-hosted Sentry or GlitchTip."""
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    import pmapp

    sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration()],
        environment=environment,
        release=f"pmapp@{pmapp.__version__}",
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        traces_sample_rate=0,
    )
