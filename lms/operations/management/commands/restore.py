from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lms.operations import backup


class Command(BaseCommand):
    help = "Replace the database and the uploaded files (MEDIA_ROOT) with a backup made by `backup`."

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, archive, yes, **options):
        if not archive.is_file():
            raise CommandError(f"No such backup: {archive}")
        if not yes:
            answer = input(f"This replaces the database and the media folder with {archive}. Type 'yes': ")
            if answer.strip() != "yes":
                raise CommandError("Restore cancelled.")
        try:
            manifest = backup.restore(archive)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored the backup of {manifest['created_at']} ({len(manifest['tables'])} tables, "
                          "row counts checked).")
