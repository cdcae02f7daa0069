"""An antivirus scan of evidence files, when a ClamAV daemon is configured
(EVIDENCE_CLAMAV_SOCKET, the path of clamd's unix socket).

clamd's INSTREAM command, spoken directly (no client library): "zINSTREAM\\0", then the
file in chunks each preceded by its length as four big-endian bytes, then a zero length;
clamd answers "stream: OK" or "stream: <name> FOUND". When a daemon is configured but does
not answer, uploads are refused rather than kept unscanned; `manage.py check --deploy`
warns when none is configured.
"""

from __future__ import annotations

import socket
import struct

from django.conf import settings
from django.utils.translation import gettext

from .office_files import Refused

CHUNK = 64 * 1024
TIMEOUT_SECONDS = 60


def _unavailable() -> Refused:
    return Refused(
        gettext(
            "The virus scan is not available just now, so the file is not kept. Try again later."
        )
    )


def _reply(connection: socket.socket) -> str:
    reply = b""
    while not reply.endswith(b"\0") and len(reply) < 4096:
        part = connection.recv(4096)
        if not part:
            break
        reply += part
    return reply.rstrip(b"\0").decode("utf-8", "replace").strip()


def scan(upload) -> str | None:
    """The name of what the antivirus found in the file, or None when it is clean or no
    antivirus is configured. Raises Refused when the configured daemon does not answer."""
    path = settings.EVIDENCE_CLAMAV_SOCKET
    if not path:
        return None
    upload.seek(0)
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(TIMEOUT_SECONDS)
            connection.connect(path)
            connection.sendall(b"zINSTREAM\0")
            while chunk := upload.read(CHUNK):
                connection.sendall(struct.pack(">I", len(chunk)) + chunk)
            connection.sendall(struct.pack(">I", 0))
            reply = _reply(connection)
    except OSError:
        raise _unavailable() from None
    finally:
        upload.seek(0)
    if reply.endswith("FOUND"):
        return reply.removeprefix("stream:").removesuffix("FOUND").strip() or "?"
    if reply.endswith("OK"):
        return None
    raise _unavailable()
