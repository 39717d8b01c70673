"""Generate a large province of persons, organizations and enrolments for benchmarks."""

import time

from django.core.management.base import BaseCommand

from lms.demo import district, scale
from lms.demo.quiet import quiet_page_logs
from lms.demo.safety import refuse_in_production


class Command(BaseCommand):
    help = (
        "Generate scale data: a fictional province (规模测试省) of --people persons in cities, districts, streets "
        f"and communities (~{scale.PERSONS_PER_COMMUNITY} persons each: one secretary, the rest party members), "
        "with users and enrolments in the demo courses (created if missing). Everything generated is "
        "recognizable: organization codes SCALE-..., usernames scale-000001..., phones 150xxxxxxxx, password "
        f"{district.DEMO_PASSWORD}. Running it again with the same --people does nothing; if scale data of "
        "another size exists it stops unless --reset is given, which first removes all previous scale data. "
        "Refuses to run under production settings."
    )

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=100_000, help="Number of persons (default 100000).")
        parser.add_argument("--reset", action="store_true",
                            help="Remove previously generated scale data first.")

    def handle(self, *args, **options):
        refuse_in_production("generate scale data")
        started = time.monotonic()
        with quiet_page_logs(options["verbosity"]):
            result = scale.generate_scale_data(
                options["people"], reset=options["reset"],
                log=self.stdout.write if options["verbosity"] > 0 else (lambda message: None),
            )
        elapsed = time.monotonic() - started
        if result.skipped:
            self.stdout.write(f"Scale data with {options['people']} persons is already present; nothing to do "
                              f"(use --reset to generate it again). {elapsed:.1f} s")
            return
        if result.removed:
            self.stdout.write(f"Removed the previous scale data ({result.removed} persons).")
        self.stdout.write(self.style.SUCCESS(
            f"Generated {result.persons} persons in {result.organizations} organizations with "
            f"{result.enrolments} enrolments in {elapsed:.1f} s."
        ))
