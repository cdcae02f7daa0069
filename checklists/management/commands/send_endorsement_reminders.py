from django.core.management.base import BaseCommand

from checklists.endorsement_reminders import send_endorsement_reminders


class Command(BaseCommand):
    help = (
        "Remind the focal points of a level where a decision has waited too long, then tell "
        "the level above and the project office's managers. Run daily from cron; never sends "
        "twice for one wait, never approves anything."
    )

    def handle(self, *args, **options):
        sent = send_endorsement_reminders()
        self.stdout.write(
            f"{sent['reminder']} reminder(s), {sent['escalation']} escalation(s) queued."
        )
