from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Write one dated archive (pmapp-backup-<time>.tar) of the database and the files, "
        "with a checksum manifest, into the folder DEST."
    )

    def add_arguments(self, parser):
        parser.add_argument("destination", metavar="DEST", help="folder for the archive")

    def handle(self, *, destination, **options):
        try:
            summary = create_backup(Path(destination))
        except BackupError as error:
            raise CommandError(str(error)) from error
        size = summary.path.stat().st_size
        self.stdout.write(
            f"Backup written: {summary.path} ({size / 1e6:.1f} MB; the database and "
            f"{summary.files} files of {summary.bytes / 1e6:.1f} MB)"
        )
