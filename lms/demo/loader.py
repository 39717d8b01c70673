"""load_demo_data, as one function the command (and tests) call."""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from lms.people import roles

from . import district
from .catalogue import ensure_catalogue
from .certificates import ensure_certificates
from .history import fill_recorded_history
from .enrolments import enrol_audiences
from .organizations import ensure_organizations
from .people import demo_person_specs, ensure_people
from .sessions import ensure_plan, ensure_sessions, fill_history


@dataclass
class DemoReport:
    organizations_created: int = 0
    persons_created: int = 0
    pages_created: int = 0
    enrolments_created: int = 0
    sessions_created: int = 0
    kept_accounts: list = field(default_factory=list)


@transaction.atomic
def load_demo_data():
    roles.ensure_roles()
    report = DemoReport()
    organizations, report.organizations_created = ensure_organizations(district.organization_rows())
    report.persons_created, report.kept_accounts = ensure_people(
        demo_person_specs(timezone.localdate()), organizations, lambda: make_password(district.DEMO_PASSWORD)
    )
    users = get_user_model().objects
    catalogue = ensure_catalogue(owner=users.filter(username="demo-trainer").first(),
                                 publisher=users.filter(username="demo-office").first())
    report.pages_created = catalogue.pages_created
    report.enrolments_created = enrol_audiences(catalogue, organizations[district.DISTRICT["code"]])
    ensure_plan(timezone.localdate().year)
    report.sessions_created = ensure_sessions(catalogue)
    fill_history()
    fill_recorded_history(timezone.localdate().year)
    ensure_certificates()
    return report
