from django.core.management.base import BaseCommand

from checklists.models import Checklist
from checklists.scoring import refresh_tallies


class Command(BaseCommand):
    help = "Recount the per-principle tallies dashboards use, for every checklist."

    def handle(self, *args, **options):
        ids = list(Checklist.objects.values_list("pk", flat=True))
        for start in range(0, len(ids), 500):
            refresh_tallies(ids[start : start + 500])
        self.stdout.write(f"Tallies recounted for {len(ids)} checklists.")
