from django.conf import settings
from django.core.management.base import BaseCommand

from checklists.workflow import reports


class Command(BaseCommand):
    help = (
        "Remove report files older than REPORT_FILES_KEEP_DAYS and settle reports whose worker "
        "died. Run it daily from cron."
    )

    def handle(self, *args, **options):
        recovered = reports.recover_stalled_reports()
        expired = reports.expire_report_files()
        self.stdout.write(
            f"Report files older than {settings.REPORT_FILES_KEEP_DAYS} days removed: {expired}; "
            f"reports whose worker stopped, queued again or marked failed: {recovered}."
        )
