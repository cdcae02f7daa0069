"""Deployment checks (``manage.py check --deploy``)."""

from django.contrib.auth.hashers import check_password
from django.core import checks
from django.db import DatabaseError
from django.db.models import Q

# Hashing is slow on purpose: past this many active accounts, only the demo accounts and
# administrators are tried (the accounts the demo data creates, and the most powerful).
EVERY_ACCOUNT_UP_TO = 200


def accounts_with_demo_password() -> list[str]:
    from django.contrib.auth.models import User

    from .management.commands.load_demo_data import DEMO_PASSWORD, USERS

    accounts = User.objects.filter(is_active=True).exclude(password__startswith="!")
    if accounts.count() > EVERY_ACCOUNT_UP_TO:
        demo = [username for username, *_rest in USERS]
        accounts = accounts.filter(Q(username__in=demo) | Q(is_superuser=True))
    return [
        username
        for username, password in accounts.order_by("username").values_list("username", "password")
        if check_password(DEMO_PASSWORD, password)
    ]


@checks.register(checks.Tags.security, deploy=True)
def check_demo_passwords(app_configs=None, **kwargs):
    """Warn when an active account still has the demo data's public password."""
    try:
        usernames = accounts_with_demo_password()
    except DatabaseError:
        return []  # no tables yet: nothing to check
    if not usernames:
        return []
    return [
        checks.Warning(
            f"{len(usernames)} active account(s) still use the public demo password: "
            + ", ".join(usernames[:20]),
            hint="Deactivate these accounts or give them new passwords "
            "(python manage.py changepassword <username>) before going live.",
            id="pmapp.W001",
        )
    ]


@checks.register(checks.Tags.security, deploy=True)
def check_antivirus(app_configs=None, **kwargs):
    """Warn when evidence files are kept without an antivirus scan."""
    from django.conf import settings

    if settings.EVIDENCE_CLAMAV_SOCKET:
        return []
    return [
        checks.Warning(
            "Evidence files are kept without an antivirus scan: EVIDENCE_CLAMAV_SOCKET is not set.",
            hint="Run a ClamAV daemon (clamd) and set EVIDENCE_CLAMAV_SOCKET to its unix "
            "socket, e.g. /run/clamav/clamd.ctl (docs/data-protection.md).",
            id="pmapp.W003",
        )
    ]
