"""Compliance with the year's plan (达标情况), counted in the database for a whole scope.

The per-person rules live in lms.learning.plans; `annotate_standings` turns them into SQL, so a
dashboard over 100,000 persons is one grouped query returning (organization, status, count)
rows. Organizations are then rolled up in Python (there are few of them): by street, the nearest
street above the person's organization, or for units outside any street (agency departments,
industry committees...) by the unit under the viewer's scope root; and by organization type.

Only active persons count: someone deactivated by the roster has left the plan."""

from dataclasses import dataclass, field

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from lms.learning import plans
from lms.learning.models import AnnualPlan
from lms.people.models import Organization, OrgType

from .access import scoped_organizations, scoped_persons
from lms.people.scoping import scope_root

STATUSES = [plans.MET, plans.NOT_MET, plans.IN_PROGRESS, plans.NO_REQUIREMENT]
STEP = Organization.steplen


@dataclass
class Counts:
    """Persons per status for one group (a street, an organization type, the whole scope)."""

    key: object
    label: str
    org_type: str = ""
    by_status: dict = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))

    @property
    def total(self):
        return sum(self.by_status.values())

    @property
    def required(self):
        return self.total - self.by_status[plans.NO_REQUIREMENT]

    @property
    def met_rate(self):
        """Share of those with a requirement who met it, in percent (None without any)."""
        return round(100 * self.by_status[plans.MET] / self.required) if self.required else None

    def segments(self):
        return [(status, plans.STATUS_LABELS[status], self.by_status[status]) for status in STATUSES]


class OrgIndex:
    """The organizations a user may see, with each one's group (its street, or the unit under
    the scope root) computed from materialized paths without further queries."""

    def __init__(self, user):
        rows = list(scoped_organizations(user).values_list("pk", "path", "depth", "name", "org_type"))
        self.by_pk = {pk: (path, depth, name, org_type) for pk, path, depth, name, org_type in rows}
        self.by_path = {path: pk for pk, path, _depth, _name, _type in rows}
        root = None if user.is_superuser else scope_root(user)
        self.root_depth = root.depth if root is not None else 0
        self._groups = {}

    def group_of(self, pk):
        """The pk of the organization the dashboard groups `pk` under."""
        if pk in self._groups:
            return self._groups[pk]
        path, depth, _name, org_type = self.by_pk[pk]
        group = None
        for end in range(len(path), 0, -STEP):  # nearest street at or above
            ancestor = self.by_path.get(path[:end])
            if ancestor is not None and self.by_pk[ancestor][3] == OrgType.STREET:
                group = ancestor
                break
        if group is None:  # outside any street: the unit just under the scope root (or the root itself)
            end = min(len(path), (self.root_depth + 1) * STEP)
            group = self.by_path.get(path[:end], pk)
        self._groups[pk] = group
        return group

    def name(self, pk):
        return self.by_pk[pk][2]

    def org_type(self, pk):
        return self.by_pk[pk][3]

    def streets(self):
        return [pk for pk, (_path, _depth, _name, org_type) in self.by_pk.items() if org_type == OrgType.STREET]


def scope_standings(user, year, category=None, today=None):
    """The active persons in the user's scope (optionally one cadre category) annotated with
    their standing (see lms.learning.plans.annotate_standings)."""
    persons = scoped_persons(user).filter(is_active=True)
    if category:
        persons = persons.filter(cadre_category=category)
    return plans.annotate_standings(persons, year, today=today)


@dataclass
class Dashboard:
    year: int
    total: Counts
    by_group: list
    by_org_type: list


def dashboard(user, year, category=None, today=None):
    """Counts per status for the user's scope, by group (street) and by organization type."""
    index = OrgIndex(user)
    rows = (scope_standings(user, year, category, today).order_by()
            .values_list("organization_id", "plan_status").annotate(n=Count("pk")))
    total = Counts("all", str(_("Total")))
    groups, types = {}, {}
    type_labels = dict(OrgType.choices)
    for organization_id, status, n in rows:
        group = index.group_of(organization_id)
        org_type = index.org_type(organization_id)
        if group not in groups:
            groups[group] = Counts(group, index.name(group), index.org_type(group))
        if org_type not in types:
            types[org_type] = Counts(org_type, str(type_labels.get(org_type, org_type)), org_type)
        for counts in (groups[group], types[org_type], total):
            counts.by_status[status] += n
    # Streets first (by name), then other units; every street of the scope shows, even empty.
    for street in index.streets():
        groups.setdefault(street, Counts(street, index.name(street), OrgType.STREET))
    by_group = sorted(groups.values(), key=lambda c: (c.org_type != OrgType.STREET, c.label))
    type_order = [value for value, _label in OrgType.choices]
    by_org_type = sorted(types.values(), key=lambda c: type_order.index(c.key) if c.key in type_order else 99)
    return Dashboard(year, total, by_group, by_org_type)


def decorate(persons, year):
    """Add the display-only figures (full-time days, status label) to annotated persons."""
    per_day = AnnualPlan.for_year(year).in_person_hours_per_day
    for person in persons:
        person.plan_in_person_days = plans.in_person_days(person.plan_in_person, per_day)
        person.plan_status_label = plans.STATUS_LABELS[person.plan_status]
    return persons
