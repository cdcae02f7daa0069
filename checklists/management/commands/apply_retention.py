from django.conf import settings
from django.core.management.base import BaseCommand

from checklists.workflow import reports, retention


class Command(BaseCommand):
    help = (
        "Apply the retention schedule: delete the evidence files and free-text comments of "
        "projects ended RETENTION_EVIDENCE_YEARS ago (unless under a legal hold), access "
        "log entries older than RETENTION_ACCESS_LOG_YEARS and report files older than "
        "REPORT_FILES_KEEP_DAYS, each with a deletion receipt. Run it daily from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be deleted; change nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        run = retention.plan_today() if dry_run else retention.apply()
        verb = "Would delete" if dry_run else "Deleted"
        for due in run.projects:
            self.stdout.write(
                f"{verb} from {due.project.code} (ended {due.project.end_date}): "
                f"{len(due.evidence)} evidence file(s), {due.comments} comment(s)."
            )
        for project in run.held:
            self.stdout.write(f"Kept {project.code}: under a legal hold.")
        self.stdout.write(
            f"{verb} access log entries older than {settings.RETENTION_ACCESS_LOG_YEARS} "
            f"years: {run.access_log_entries}."
        )
        if not dry_run:
            expired = reports.expire_report_files()
            self.stdout.write(
                f"Report files older than {settings.REPORT_FILES_KEEP_DAYS} days removed: "
                f"{expired}."
            )
