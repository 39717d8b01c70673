"""Load the demo district 栖霞区: organizations, people, demo accounts, courses and enrolments.

Running it again changes nothing. Refuses to run under production settings."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from wagtail.models import Page

from lms.demo import district
from lms.demo.loader import load_demo_data
from lms.demo.quiet import quiet_page_logs
from lms.demo.safety import refuse_in_production
from lms.learning.models import Enrollment
from lms.people.models import Organization, Person


class Command(BaseCommand):
    help = (
        "Load the demo district (栖霞区: 9 streets, 127 communities/villages, agency departments, two-new "
        "organizations, 18 alliance universities), its people, the demo accounts (password "
        f"{district.DEMO_PASSWORD}), the five programs with their 2026 courses, and enrolments. "
        "Idempotent: running it again changes nothing. Refuses to run under production settings."
    )

    def handle(self, *args, **options):
        refuse_in_production("load demo data")
        with quiet_page_logs(options["verbosity"]):
            report = load_demo_data()
        self.stdout.write(
            f"Organizations: {report.organizations_created} created, {Organization.objects.count()} in all.\n"
            f"Persons: {report.persons_created} created, {Person.objects.count()} in all.\n"
            f"Pages: {report.pages_created} created, {Page.objects.count()} in all.\n"
            f"Enrolments: {report.enrolments_created} created, {Enrollment.objects.current().count()} current.\n"
        )
        User = get_user_model()
        usernames = [district.DEMO_SECRETARY_USERNAME] + [a["username"] for a in district.STAFF_ACCOUNTS]
        present = set(User.objects.filter(username__in=usernames).values_list("username", flat=True))
        self.stdout.write(self.style.SUCCESS(
            f"Demo accounts: {', '.join(u for u in usernames if u in present)}. "
            f"All demo accounts use the password {district.DEMO_PASSWORD} "
            "(learners may also log in with their mobile number)."
        ))
        if report.kept_accounts:
            self.stdout.write(self.style.WARNING(
                f"Kept existing accounts with their own passwords: {', '.join(report.kept_accounts)}."
            ))
