"""Import a roster spreadsheet (XLSX or CSV) of persons: the same checks and the same all-or-nothing
apply as the admin screen (lms.people.roster). Exits non-zero when any row is bad."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from lms.people import roster


class Command(BaseCommand):
    help = "Import persons from an XLSX or CSV roster (validate every row, then apply in one transaction)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="an .xlsx or .csv file (CSV in UTF-8 or GBK)")
        parser.add_argument("--dry-run", action="store_true", help="validate and show the changes, write nothing")
        parser.add_argument("--as-user", metavar="USERNAME",
                            help="limit the import to this user's scope (default: the whole organization tree)")
        parser.add_argument("--deactivate-missing", action="store_true",
                            help="also deactivate active persons in scope who are not in the file")

    def handle(self, *args, file, dry_run, as_user, deactivate_missing, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("No such file: %(path)s") % {"path": file})
        user = None
        if as_user:
            user = get_user_model().objects.filter(username=as_user).first()
            if user is None:
                raise CommandError(_("No such user: %(username)s") % {"username": as_user})
        if path.stat().st_size > roster.MAX_FILE_BYTES:
            raise CommandError(_("The file is larger than %(size)s MB.")
                               % {"size": roster.MAX_FILE_BYTES // (1024 * 1024)})
        try:
            result = roster.run_import(path.read_bytes(), path.name, user, dry_run=dry_run,
                                       deactivate_missing=deactivate_missing)
        except (roster.RosterFileError, roster.RosterConflict) as exc:
            raise CommandError(str(exc)) from None
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(_("%(count)s error(s): nothing was imported.") % {"count": len(result.errors)})
        for change in result.plan.changes:
            if change.action == "unchanged":
                continue
            details = "; ".join(f"{label}: {old or '-'} → {new or '-'}" for label, old, new in change.diff)
            where = _("row %(row)s") % {"row": change.row} if change.row else _("not in file")
            self.stdout.write(f"{ACTION_LABELS[change.action]()} [{where}] {change.name} {change.phone}  {details}")
        counts = result.plan.counts
        summary = _("create %(create)s, update %(update)s, deactivate %(deactivate)s, unchanged %(unchanged)s") % counts
        if dry_run:
            self.stdout.write(_("Dry run, nothing written: %(summary)s") % {"summary": summary})
        else:
            self.stdout.write(self.style.SUCCESS(_("Imported: %(summary)s") % {"summary": summary}))


ACTION_LABELS = {
    "create": lambda: _("create"),
    "update": lambda: _("update"),
    "deactivate": lambda: _("deactivate"),
}
