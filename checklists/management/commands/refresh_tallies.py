from django.core.management.base import BaseCommand

from checklists.models import Checklist
from checklists.tallies import refresh_reported_tallies, refresh_tallies
from projects.models import Project


class Command(BaseCommand):
    help = (
        "Recount the tallies dashboards use: per principle for every checklist, then per "
        "project and per monitoring round over the submitted and approved checklists."
    )

    def handle(self, *args, **options):
        ids = list(Checklist.objects.values_list("pk", flat=True))
        for start in range(0, len(ids), 500):
            refresh_tallies(ids[start : start + 500])
        project_ids = list(Project.objects.values_list("pk", flat=True))
        for start in range(0, len(project_ids), 500):
            refresh_reported_tallies(project_ids[start : start + 500])
        self.stdout.write(
            f"Tallies recounted for {len(ids)} checklists and {len(project_ids)} projects."
        )
