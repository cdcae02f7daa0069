from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

import pmapp
from operations.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Check the archive SRC against its manifest, then put its database and files back "
        "into an empty database (DATABASE_URL) and an empty storage (MEDIA_ROOT or S3_BUCKET)."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", metavar="SRC", help="an archive bin/backup wrote")

    def handle(self, *, source, **options):
        try:
            manifest = restore_backup(Path(source))
        except BackupError as error:
            raise CommandError(str(error)) from error
        files = sum(1 for part in manifest["parts"] if part["path"].startswith("files/"))
        self.stdout.write(
            f"Restored the backup of {manifest['created_at']} (version "
            f"{manifest['app_version']}): the database and {files} files, each checked "
            "against the manifest."
        )
        if manifest["app_version"] != pmapp.__version__:
            self.stdout.write(
                f"It comes from version {manifest['app_version']}; this is "
                f"{pmapp.__version__}. Bring the database up to date: python manage.py migrate"
            )
