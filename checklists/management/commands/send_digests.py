from django.core.management.base import BaseCommand

from checklists.notifications import queue_digests


class Command(BaseCommand):
    help = (
        "Queue the daily and weekly digests that are due (each person's morning, in their time "
        "zone); the task worker sends them. Run it every hour or more often from cron: running "
        "it again sends nothing twice."
    )

    def handle(self, *args, **options):
        queued = queue_digests()
        self.stdout.write(f"{queued} digest e-mail(s) queued.")
