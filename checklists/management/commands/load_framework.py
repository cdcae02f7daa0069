from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from checklists.framework_file import load_framework_file

REFERENCE_FIXTURES = ["principles", "phases", "sectors", "topics", "good_practices"]


class Command(BaseCommand):
    help = (
        "Load or update the protection framework from fixtures/: principles, phases, sectors, "
        "topics, good practices, then each framework_v*.json (published; never changed once "
        "published). Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "files", nargs="*", help="Framework files (default: fixtures/framework_v*.json)"
        )

    def handle(self, *args, files, **options):
        call_command("loaddata", *REFERENCE_FIXTURES, verbosity=0)
        self.stdout.write(
            "Reference data loaded (principles, phases, sectors, topics, good practices)."
        )
        fixture_dir = settings.FIXTURE_DIRS[0]
        paths = files or sorted(
            fixture_dir.glob("framework_v*.json"), key=lambda p: int(p.stem.split("_v")[-1])
        )
        for number, path in enumerate(paths, start=1):
            try:
                # Every file but the newest is history: recorded as retired, as it was.
                framework, outcome = load_framework_file(path, earlier=number < len(paths))
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from error
            self.stdout.write(
                f"{framework}: {outcome}, {framework.items.count()} items, {framework.status}."
            )
