"""The background work the task worker (`manage.py db_worker`) runs, where it lives: long
portfolio reports beside the rest of their workflow, notification e-mails beside the
notifications. Named here too, for tasks queued under these names by an earlier release."""

from .notifications import deliver_mail, send_digests
from .workflow.reports import build_report_file, report_content

__all__ = ["build_report_file", "deliver_mail", "report_content", "send_digests"]
