import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lms.operations import backup


class Command(BaseCommand):
    help = "Write the database and the uploaded files (MEDIA_ROOT) to one .tar.gz archive."

    def add_arguments(self, parser):
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        parser.add_argument("--output", type=Path, default=Path(f"backups/touyan-{stamp}.tar.gz"))

    def handle(self, *args, output, **options):
        try:
            manifest = backup.backup(output)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(manifest["tables"].values())
        self.stdout.write(f"Backed up {manifest['engine']} ({len(manifest['tables'])} tables, {rows} rows) "
                          f"and the media folder to {output}")
