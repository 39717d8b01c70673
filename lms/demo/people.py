"""People for the demo and scale data: specs (plain data) and one fast bulk path that turns specs
into users, persons and group memberships without per-row saves or signals.

All generated users share one password hash, computed once: hashing is deliberately slow."""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from faker import Faker

from lms.people import roles
from lms.people.models import CadreCategory, CadreLevel, OrgType, Person, Post

from . import district as d


@dataclass
class PersonSpec:
    username: str
    phone: str
    name: str
    organization: str  # organization code
    post: str = Post.PARTY_MEMBER
    cadre_category: str = CadreCategory.PARTY_MEMBER
    level: str = CadreLevel.NONE
    appointed_on: datetime.date | None = None
    groups: list = field(default_factory=lambda: [roles.LEARNER])
    superuser: bool = False


def appointed_long_ago(index):
    """A date in the 2018-2021 terms (the 2021 换届 was the last general election)."""
    return datetime.date(2018 + index % 4, 1 + index % 12, 1 + index % 28)


def appointed_recently(index, today):
    return today - datetime.timedelta(days=15 + (index * 37) % 330)


def demo_person_specs(today):
    """Every person of the demo district, in a fixed order (names come from one seeded Faker)."""
    fake = Faker("zh_CN")
    fake.seed_instance(d.FAKER_SEED)
    specs = []

    def learner(phone, organization, **fields):
        spec = PersonSpec(username=phone, phone=phone, name=fake.name(), organization=organization, **fields)
        specs.append(spec)
        return spec

    number = 0
    for street_code, _street, _short, communities in d.STREETS:
        for position, (_name, org_type) in enumerate(communities, start=1):
            number += 1
            code = d.community_code(street_code, position)
            demo = street_code == d.DEMO_SECRETARY_STREET and position == 1
            newly_appointed = demo or number % d.NEWLY_APPOINTED_EVERY == 0
            spec = learner(
                d.demo_phone(d.PHONE_BLOCK_SECRETARIES, number), code, post=Post.SECRETARY,
                cadre_category=(CadreCategory.VILLAGE_SECRETARY if org_type == OrgType.VILLAGE
                                else CadreCategory.COMMUNITY_SECRETARY),
                level=CadreLevel.DEPUTY_SECTION if number % 7 == 0 else CadreLevel.NONE,
                appointed_on=appointed_recently(number, today) if newly_appointed else appointed_long_ago(number),
            )
            if demo:
                spec.username, spec.name = d.DEMO_SECRETARY_USERNAME, d.DEMO_SECRETARY_NAME
            for member in range(d.PARTY_MEMBERS_PER_COMMUNITY):
                learner(d.demo_phone(d.PHONE_BLOCK_MEMBERS, number * 10 + member), code)

    two_new_codes = [d.internet_company_code(n) for n in range(1, len(d.INTERNET_COMPANIES) + 1)]
    two_new_codes += [code for code, _street, _name in d.SOCIAL_ORGANIZATIONS]
    for number, code in enumerate(two_new_codes, start=1):
        learner(d.demo_phone(d.PHONE_BLOCK_TWO_NEW, number), code, post=Post.SECRETARY,
                cadre_category=CadreCategory.TWO_NEW_SECRETARY, appointed_on=appointed_long_ago(number))

    levels = [CadreLevel.SECTION, CadreLevel.DEPUTY_SECTION, CadreLevel.STAFF_MEMBER]
    number = 0
    for code, _name, _short in d.AGENCIES:
        for cadre in range(d.AGENCY_CADRES_PER_AGENCY):
            number += 1
            learner(d.demo_phone(d.PHONE_BLOCK_AGENCY, number), code, post=Post.AGENCY_CADRE,
                    cadre_category=CadreCategory.AGENCY_CADRE, level=levels[cadre % len(levels)])

    for number, account in enumerate(d.STAFF_ACCOUNTS, start=1):
        specs.append(PersonSpec(
            username=account["username"], phone=d.demo_phone(d.PHONE_BLOCK_ACCOUNTS, number), name=account["name"],
            organization=account["organization"], post=account["post"], cadre_category=account["cadre_category"],
            level=account["level"], groups=list(account["groups"]), superuser=account.get("superuser", False),
        ))
    return specs


def _person(spec, user_id, organization_ids):
    return Person(
        user_id=user_id, name=spec.name, phone=spec.phone, organization_id=organization_ids[spec.organization],
        post=spec.post, cadre_category=spec.cadre_category, level=spec.level, appointed_on=spec.appointed_on,
    )


def create_people(specs, organization_ids, password_hash, batch_size=2000):
    """Bulk-create a user, a person and group memberships for each spec. The specs must be new
    (no such username or phone yet). Returns the number of persons created."""
    User = get_user_model()
    now = timezone.now()
    users = [User(username=spec.username, password=password_hash, is_superuser=spec.superuser,
                  is_staff=spec.superuser, date_joined=now) for spec in specs]
    User.objects.bulk_create(users, batch_size=batch_size)
    if any(user.pk is None for user in users):  # databases that cannot return ids from a bulk insert
        ids = {}
        for start in range(0, len(users), batch_size):
            chunk = [user.username for user in users[start:start + batch_size]]
            ids.update(User.objects.filter(username__in=chunk).values_list("username", "id"))
        for user in users:
            user.pk = user.id = ids[user.username]
    Person.objects.bulk_create(
        [_person(spec, user.pk, organization_ids) for spec, user in zip(specs, users)], batch_size=batch_size
    )
    add_to_groups([(user.pk, spec.groups) for spec, user in zip(specs, users)], batch_size=batch_size)
    return len(users)


def add_to_groups(memberships, batch_size=2000):
    """memberships: [(user id, [group name, ...])]; existing memberships are left alone."""
    names = {name for _user, groups in memberships for name in groups}
    group_ids = dict(Group.objects.filter(name__in=names).values_list("name", "id"))
    Membership = get_user_model().groups.through
    rows = [Membership(user_id=user_id, group_id=group_ids[name]) for user_id, groups in memberships for name in groups]
    Membership.objects.bulk_create(rows, batch_size=batch_size, ignore_conflicts=True)


def ensure_people(specs, organizations, password_hash):
    """Create the people in `specs` that do not exist yet and make sure everyone is in their groups.

    A spec exists when its username or its phone is taken. An existing user without a person
    (e.g. an `admin` made earlier with createsuperuser) gets a person but keeps its password.
    `password_hash` is a callable so the slow hash is computed only when a user is created.
    Returns (persons created, usernames of existing users that were kept)."""
    User = get_user_model()
    organization_ids = {code: org.pk for code, org in organizations.items()}
    users = dict(User.objects.filter(username__in=[s.username for s in specs]).values_list("username", "id"))
    taken_phones = set(Person.objects.filter(phone__in=[s.phone for s in specs]).values_list("phone", flat=True))
    with_person = set(Person.objects.filter(user_id__in=users.values()).values_list("user_id", flat=True))

    new = [s for s in specs if s.username not in users and s.phone not in taken_phones]
    adopted = [s for s in specs if s.username in users and users[s.username] not in with_person
               and s.phone not in taken_phones]
    created = create_people(new, organization_ids, password_hash()) if new else 0
    Person.objects.bulk_create([_person(s, users[s.username], organization_ids) for s in adopted])

    users = dict(User.objects.filter(username__in=[s.username for s in specs]).values_list("username", "id"))
    add_to_groups([(users[s.username], s.groups) for s in specs if s.username in users])
    return created + len(adopted), [s.username for s in adopted]
