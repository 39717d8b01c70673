"""Scale data: a whole (fictional) province of N persons for benchmarks and load tests.

Shape: province → cities → districts → streets → communities/villages, about 300 persons per
community (one secretary, the rest party members), 14 communities per street, 9 streets per
district, 10 districts per city, so the tree grows in proportion to N. It is a tree of its own (a
second root beside the demo district), distinguishable everywhere: organization codes start with
"SCALE-", usernames are "scale-000001"..., phones are 150xxxxxxxx.

Speed comes from doing nothing per row: treebeard paths are computed here and organizations
bulk-created, all users share one password hash computed once, and users, persons, group
memberships and enrolments are bulk-created in batches without signals. The tree is checked with
Organization.find_problems() before the transaction commits."""

import math
import random
import time
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import CharField
from django.db.models.functions import Cast
from django.utils import timezone
from faker import Faker
from wagtail.models import ReferenceIndex

from courses.models import EnrolmentMode
from lms.learning.models import Enrollment, EnrollmentSource
from lms.people import roles
from lms.people.models import CadreCategory, OrgType, Organization, Person, Post

from . import district
from .catalogue import ensure_catalogue
from .enrolments import audience, enrol_audiences, enrol_missing
from .people import PersonSpec, appointed_long_ago, appointed_recently, create_people

CODE_PREFIX = "SCALE-"
ROOT_CODE = "SCALE-P"
ROOT_NAME = "规模测试省"
USERNAME_PREFIX = "scale-"
PHONE_PREFIX = "150"
MAX_PERSONS = 10**8 - 1  # 150 + 8 digits

PERSONS_PER_COMMUNITY = 300
COMMUNITIES_PER_STREET = 14
STREETS_PER_DISTRICT = 9
DISTRICTS_PER_CITY = 10
VILLAGE_EVERY = 4  # every 4th community is a village
NEWLY_APPOINTED_EVERY = 6  # every 6th secretary was appointed within the last year
SEED = 20260202
BATCH_SIZE = 2000

_FIRST = "东西南北中新金银青云龙凤安长永平康泰和兴华明光清远宁德福寿盛昌"
_SECOND = "山水湖河江桥林园城港岭泉溪塘田湾洲坪岗庄营阳源浦亭"


def place_name(index, offset=0):
    """A plausible two-character place name, unique for each index at one level."""
    index += offset
    size = len(_FIRST) * len(_SECOND)
    name = _FIRST[index % len(_FIRST)] + _SECOND[(index // len(_FIRST)) % len(_SECOND)]
    return name if index < size else f"{name}{index // size + 1}"


def username(index):
    return f"{USERNAME_PREFIX}{index:06d}"


def phone(index):
    return f"{PHONE_PREFIX}{index:08d}"


@dataclass
class Node:
    code: str
    name: str
    org_type: str
    children: list = field(default_factory=list)


def plan_tree(persons):
    """The organization tree for `persons` persons: (root Node, communities in person order)."""
    counts = {}
    counts["community"] = math.ceil(persons / PERSONS_PER_COMMUNITY)
    counts["street"] = math.ceil(counts["community"] / COMMUNITIES_PER_STREET)
    counts["district"] = math.ceil(counts["street"] / STREETS_PER_DISTRICT)
    counts["city"] = math.ceil(counts["district"] / DISTRICTS_PER_CITY)

    root = Node(ROOT_CODE, ROOT_NAME, OrgType.PROVINCE)
    cities = [Node(f"{CODE_PREFIX}CITY-{i + 1:04d}", place_name(i, 3) + "市", OrgType.CITY)
              for i in range(counts["city"])]
    root.children = cities
    districts = []
    for i in range(counts["district"]):
        node = Node(f"{CODE_PREFIX}DIST-{i + 1:05d}", place_name(i, 11) + "区", OrgType.DISTRICT)
        cities[i // DISTRICTS_PER_CITY].children.append(node)
        districts.append(node)
    streets = []
    for i in range(counts["street"]):
        node = Node(f"{CODE_PREFIX}STRT-{i + 1:06d}", place_name(i, 29) + "街道", OrgType.STREET)
        districts[i // STREETS_PER_DISTRICT].children.append(node)
        streets.append(node)
    communities = []
    for i in range(counts["community"]):
        village = i % VILLAGE_EVERY == VILLAGE_EVERY - 1
        node = Node(f"{CODE_PREFIX}COMM-{i + 1:07d}", place_name(i, 47) + ("村" if village else "社区"),
                    OrgType.VILLAGE if village else OrgType.COMMUNITY)
        streets[i // COMMUNITIES_PER_STREET].children.append(node)
        communities.append(node)
    return root, communities


def tree_rows(root, root_path):
    """Organizations with treebeard fields set: siblings get consecutive steps in name order, depth from the path, numchild from the children."""
    rows = []

    def visit(node, path, depth):
        rows.append(Organization(code=node.code, name=node.name, org_type=node.org_type, path=path,
                                 depth=depth, numchild=len(node.children)))
        for step, child in enumerate(sorted(node.children, key=lambda n: n.name), start=1):
            visit(child, Organization._get_path(path, depth + 1, step), depth + 1)

    visit(root, root_path, 1)
    return rows


def next_root_path():
    last_root = Organization.get_last_root_node()
    return last_root._inc_path() if last_root else Organization._get_path(None, 1, 1)


def person_specs(persons, communities, today):
    fake = Faker("zh_CN")
    fake.seed_instance(SEED)
    names = [fake.name() for _ in range(5000)]
    rng = random.Random(SEED)
    specs = []
    for index in range(1, persons + 1):
        number, position = divmod(index - 1, PERSONS_PER_COMMUNITY)
        community = communities[number]
        spec = PersonSpec(username=username(index), phone=phone(index), name=rng.choice(names),
                          organization=community.code)
        if position == 0:
            spec.post = Post.SECRETARY
            spec.cadre_category = (CadreCategory.VILLAGE_SECRETARY if community.org_type == OrgType.VILLAGE
                                   else CadreCategory.COMMUNITY_SECRETARY)
            newly_appointed = number % NEWLY_APPOINTED_EVERY == NEWLY_APPOINTED_EVERY - 1
            spec.appointed_on = (appointed_recently(number, today) if newly_appointed
                                 else appointed_long_ago(number))
        specs.append(spec)
    return specs


def existing_scale_persons():
    return Person.objects.filter(user__username__startswith=USERNAME_PREFIX)


def scale_root():
    return Organization.objects.filter(code=ROOT_CODE).first()


def delete_scale_data():
    """Remove everything a previous run generated. Returns the number of persons removed.

    Enrolments (and whatever hangs off them) and group memberships go through the ORM. Persons and
    users are removed with plain DELETEs: the ORM's collector would load every row and send a
    post_delete signal per person (Wagtail's reference index), minutes for 100,000 persons. Any
    other record still pointing at a scale person stops the delete with an integrity error."""
    User = get_user_model()
    users = User.objects.filter(username__startswith=USERNAME_PREFIX)
    persons = Person.objects.filter(user__in=users)
    count = persons.count()
    Enrollment.objects.filter(person__in=persons).delete()
    ReferenceIndex.objects.filter(
        content_type=ContentType.objects.get_for_model(Person),
        object_id__in=persons.annotate(key=Cast("pk", CharField())).values("key"),
    ).delete()
    User.groups.through.objects.filter(user__in=users).delete()
    persons._raw_delete(persons.db)
    users._raw_delete(users.db)
    root = scale_root()
    if root is not None:
        Organization.objects.filter(path__startswith=root.path).delete()
    return count


@dataclass
class ScaleResult:
    skipped: bool = False
    removed: int = 0
    organizations: int = 0
    persons: int = 0
    enrolments: int = 0
    timings: list = field(default_factory=list)  # (phase, seconds)


def generate_scale_data(persons, reset=False, log=lambda message: None):
    if not 1 <= persons <= MAX_PERSONS:
        raise CommandError(f"--people must be between 1 and {MAX_PERSONS}.")
    result = ScaleResult()
    clock = time.monotonic()

    def phase(name):
        nonlocal clock
        now = time.monotonic()
        result.timings.append((name, now - clock))
        log(f"  {name}: {now - clock:.1f} s")
        clock = now

    with transaction.atomic():
        existing = existing_scale_persons().count()
        if existing or scale_root() is not None:
            if not reset:
                if existing == persons:
                    result.skipped = True
                    return result
                raise CommandError(
                    f"Scale data with {existing} persons already exists. Run again with --reset to replace it."
                )
            result.removed = delete_scale_data()
            phase("removed previous scale data")

        roles.ensure_roles()
        root, communities = plan_tree(persons)
        organizations = tree_rows(root, next_root_path())
        Organization.objects.bulk_create(organizations, batch_size=BATCH_SIZE)
        result.organizations = len(organizations)
        organization_ids = dict(
            Organization.objects.filter(code__startswith=CODE_PREFIX).values_list("code", "id")
        )
        phase(f"{len(organizations)} organizations")

        specs = person_specs(persons, communities, timezone.localdate())
        result.persons = create_people(specs, organization_ids, make_password(district.DEMO_PASSWORD),
                                       batch_size=BATCH_SIZE)
        del specs
        phase(f"{result.persons} users and persons")

        users = get_user_model().objects
        catalogue = ensure_catalogue(owner=users.filter(username="demo-trainer").first(),
                                     publisher=users.filter(username="demo-office").first())
        root_node = scale_root()
        result.enrolments = enrol_audiences(catalogue, root_node)
        # Party members have also enrolled themselves in the always-open micro-video course.
        for course in catalogue.courses.values():
            if course.enrolment_mode == EnrolmentMode.SELF:
                members = audience("party_members", root_node).values_list("pk", flat=True)
                result.enrolments += enrol_missing(course, members, source=EnrollmentSource.SELF,
                                                   batch_size=BATCH_SIZE)
        phase(f"{result.enrolments} enrolments")

        problems = Organization.find_problems(parent=root_node)
        if any(problems):
            raise CommandError(f"The generated organization tree is inconsistent: {problems}")
        phase("tree check")
    phase("commit")  # PostgreSQL checks the deferred foreign keys of every row here
    return result
