from django.core.management.base import BaseCommand

from checklists import notifications


class Command(BaseCommand):
    help = (
        "Send the notification e-mails that are due, retrying those that failed. The task "
        "worker does this after each submission and decision; run it from cron every few "
        "minutes as well where the worker may be down."
    )

    def handle(self, *args, **options):
        sent, retrying = notifications.deliver_due_mail()
        self.stdout.write(f"E-mails sent: {sent}; to try again later: {retrying}.")
