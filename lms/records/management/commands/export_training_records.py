"""Export the year's training records (per-person summary, 学时 detail, rotations) for scripts."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from lms.people.models import Organization, Person
from lms.records import export


class Command(BaseCommand):
    help = ("Export the yearly training records of everyone (or one street, some cadre categories): XLSX with "
            "four sheets (summary, 学时 detail, rotations, the plan's batches) or one per-person table as CSV "
            "(UTF-8 with BOM).")

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx", dest="file_format")
        parser.add_argument("--output", required=True, help="The file to write.")
        parser.add_argument("--street", default="", help="Only persons under the street with this code.")
        parser.add_argument("--category", action="append", default=[],
                            help="A cadre category (value or Chinese name); repeat or separate with commas.")
        parser.add_argument("--table", choices=export.TABLES, default=export.SUMMARY,
                            help="The table written as CSV (XLSX always has every table and the plan's batches).")

    def handle(self, *args, **options):
        from django.conf import settings

        with translation.override(settings.LANGUAGE_CODE):
            categories = [c.strip() for value in options["category"] for c in value.split(",") if c.strip()]
            try:
                request = export.ExportRequest.build(options["year"], Person.objects.all(), Organization.objects.all(),
                                                     street_code=options["street"], categories=categories)
            except export.ExportError as error:
                raise CommandError(" ".join(error.messages))
            started = time.monotonic()
            report = None
            if options["verbosity"] > 1:
                def report(rows):
                    sys.stderr.write(f"\r{rows} rows")
            rows = export.write(request, options["output"], options["file_format"], table=options["table"],
                                report=report)
            self.stdout.write(f"{rows} rows written to {options['output']} in {time.monotonic() - started:.1f} s")
