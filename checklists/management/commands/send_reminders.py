from django.core.management.base import BaseCommand

from checklists.notifications import send_reminders


class Command(BaseCommand):
    help = (
        "Mail owners of open action points due within 7 days or overdue. Run daily from cron; "
        "running it again the same day sends nothing twice."
    )

    def handle(self, *args, **options):
        sent = send_reminders()
        self.stdout.write(f"{sent} reminder e-mail(s) sent.")
