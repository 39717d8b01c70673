"""Shared personas and catalogue fixtures, built with the real models (no mocks).

The organization tree:

    示范区 (district)
    ├── 区委组织部 (agency)            trainer
    ├── 东湖街道 (street A)            street_admin
    │   └── 东湖社区 (community A)     secretary
    └── 西山街道 (street B)
        └── 西山社区 (community B)     other_secretary

The training office, HR and the superuser belong to the district itself (their scope is the whole
district); the trainer belongs to the agency department."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from wagtail.rich_text import RichText

from courses.models import Cadence, CoursePage, EnrolmentMode, HomePage, ProgramKind, ProgramPage, ReadingLessonPage
from lms.people import roles
from lms.people.models import CadreCategory, Organization, OrgType, Person, Post

PASSWORD = "touyan-test-pass-8Q"


def pytest_configure(config):
    # WhiteNoise warns that STATIC_ROOT does not exist: tests never run collectstatic.
    config.addinivalue_line("filterwarnings", "ignore:No directory at:UserWarning")

_phone_counter = iter(range(13800000000, 13900000000))


def next_phone():
    return str(next(_phone_counter))


@pytest.fixture
def password():
    """Every persona's password."""
    return PASSWORD


@pytest.fixture
def org_tree(db):
    """The district with two streets, one community in each, and an agency department."""
    district = Organization.add_root(name="示范区", org_type=OrgType.DISTRICT, code="D")
    street_a = district.add_child(name="东湖街道", org_type=OrgType.STREET, code="S-A")
    street_b = district.add_child(name="西山街道", org_type=OrgType.STREET, code="S-B")
    agency = district.add_child(name="区委组织部", org_type=OrgType.AGENCY, code="AG")
    community_a = street_a.add_child(name="东湖社区", org_type=OrgType.COMMUNITY, code="C-A")
    community_b = street_b.add_child(name="西山社区", org_type=OrgType.COMMUNITY, code="C-B")
    # add_child leaves stale numchild on in-memory parents: hand out fresh instances.
    fresh = {o.pk: o for o in Organization.objects.all()}
    return {
        "district": fresh[district.pk],
        "street_a": fresh[street_a.pk],
        "street_b": fresh[street_b.pk],
        "agency": fresh[agency.pk],
        "community_a": fresh[community_a.pk],
        "community_b": fresh[community_b.pk],
    }


@pytest.fixture
def make_person(db):
    """Factory: a User with a Person in `organization`, in the given role groups."""

    def make(name, organization, *, groups=(), phone=None, username=None, password=PASSWORD, **fields):
        phone = phone or next_phone()
        user = Person.create_account(phone, password)
        if username:
            user.username = username
            user.save(update_fields=["username"])
        for group_name in groups:
            user.groups.add(Group.objects.get(name=group_name))
        return Person.objects.create(user=user, name=name, phone=phone, organization=organization, **fields)

    return make


@pytest.fixture
def secretary(org_tree, make_person):
    return make_person(
        "张书记", org_tree["community_a"], groups=[roles.LEARNER], post=Post.SECRETARY,
        cadre_category=CadreCategory.COMMUNITY_SECRETARY,
    )


@pytest.fixture
def other_secretary(org_tree, make_person):
    return make_person(
        "李书记", org_tree["community_b"], groups=[roles.LEARNER], post=Post.SECRETARY,
        cadre_category=CadreCategory.COMMUNITY_SECRETARY,
    )


@pytest.fixture
def trainer(org_tree, make_person):
    return make_person("王老师", org_tree["agency"], groups=[roles.TRAINER], username="trainer",
                       post=Post.STAFF, cadre_category=CadreCategory.AGENCY_CADRE)


@pytest.fixture
def training_office(org_tree, make_person):
    return make_person("赵科长", org_tree["district"], groups=[roles.TRAINING_OFFICE], username="office",
                       post=Post.STAFF, cadre_category=CadreCategory.AGENCY_CADRE)


@pytest.fixture
def hr(org_tree, make_person):
    return make_person("钱干事", org_tree["district"], groups=[roles.HR], username="hr",
                       post=Post.STAFF, cadre_category=CadreCategory.AGENCY_CADRE)


@pytest.fixture
def street_admin(org_tree, make_person):
    return make_person("孙主任", org_tree["street_a"], groups=[roles.STREET_ADMIN], username="street-a-admin",
                       post=Post.STAFF, cadre_category=CadreCategory.AGENCY_CADRE)


@pytest.fixture
def superuser(org_tree, db):
    phone = next_phone()
    user = get_user_model().objects.create_superuser(username="root", password=PASSWORD)
    Person.objects.create(user=user, name="管理员", phone=phone, organization=org_tree["district"])
    return user


def _user(who):
    return who.user if isinstance(who, Person) else who


@pytest.fixture
def client_for(db):
    """Factory: a test client logged in as a user (or a Person's user). force_login skips axes,
    which wants a request for every authentication."""

    def make(who, **client_kwargs):
        client = Client(**client_kwargs)
        if who is not None:
            client.force_login(_user(who))
        return client

    return make


@pytest.fixture
def logged_in_client(client_for):
    """Alias of client_for, for tests that read better with it."""
    return client_for


# --- the Wagtail catalogue -------------------------------------------------------------------


@pytest.fixture
def home_page(db):
    return HomePage.objects.get()


@pytest.fixture
def make_program(home_page):
    def make(title="头雁讲坛", slug=None, **fields):
        fields.setdefault("kind", ProgramKind.HEAD_GOOSE_FORUM)
        fields.setdefault("cadence", Cadence.QUARTERLY)
        program = ProgramPage(title=title, slug=slug or f"program-{ProgramPage.objects.count() + 1}", **fields)
        home_page.add_child(instance=program)
        program.save_revision().publish()
        return ProgramPage.objects.get(pk=program.pk)

    return make


@pytest.fixture
def program(make_program):
    return make_program("头雁讲坛", slug="forum", summary="每季度一期的社区书记讲坛")


@pytest.fixture
def make_course(program):
    """Factory: a published CoursePage under a program (the `program` fixture by default)."""

    def make(title="2026年第一季度头雁讲坛", *, parent=None, slug=None, streets=(), publish=True, **fields):
        parent = parent or program
        fields.setdefault("year", 2026)
        fields.setdefault("starts_on", datetime.date(2026, 3, 20))
        fields.setdefault("ends_on", datetime.date(2026, 3, 20))
        fields.setdefault("credit_hours", "6")
        course = CoursePage(title=title, slug=slug or f"course-{CoursePage.objects.count() + 1}", **fields)
        if not publish:
            course.live = False
        parent.add_child(instance=course)
        if streets:
            course.audience_streets.set(streets)
            course.save()
        revision = course.save_revision()
        if publish:
            revision.publish()
        return CoursePage.objects.get(pk=course.pk)

    return make


@pytest.fixture
def course(make_course, org_tree):
    """A published course for community and village secretaries of street A (self-enrolment off)."""
    return make_course(
        "2026年第一季度头雁讲坛",
        slug="2026-q1",
        summary="社区治理专题",
        audience_org_types=[OrgType.COMMUNITY, OrgType.VILLAGE],
        audience_categories=[CadreCategory.COMMUNITY_SECRETARY, CadreCategory.VILLAGE_SECRETARY],
        streets=[org_tree["street_a"]],
        enrolment_mode=EnrolmentMode.ASSIGNED,
    )


@pytest.fixture
def make_lesson(course):
    def make(title="第一课：基层治理", *, parent=None, slug=None, publish=True, **fields):
        parent = parent or course
        fields.setdefault("estimated_minutes", 20)
        fields.setdefault("body", [("paragraph", RichText("<p>学习内容</p>"))])
        lesson = ReadingLessonPage(title=title, slug=slug or f"lesson-{ReadingLessonPage.objects.count() + 1}",
                                   **fields)
        if not publish:
            lesson.live = False
        parent.add_child(instance=lesson)
        revision = lesson.save_revision()
        if publish:
            revision.publish()
        return ReadingLessonPage.objects.get(pk=lesson.pk)

    return make


@pytest.fixture
def lesson(make_lesson):
    return make_lesson("第一课：基层治理", slug="lesson-1")


# --- video lessons and watch tracking (issue 3) ---------------------------------------------------


@pytest.fixture
def make_video_lesson(course):
    """Factory: a published VideoLessonPage whose media item has a known duration (no file is read)."""
    from wagtailmedia.models import get_media_model

    from courses.models import VideoLessonPage

    def make(title="微视频：坚守平凡", *, parent=None, slug=None, duration=60.0, publish=True, **fields):
        parent = parent or course
        slug = slug or f"video-{VideoLessonPage.objects.count() + 1}"
        media = get_media_model().objects.create(title=title, type="video", duration=duration,
                                                 file=f"media/{slug}.mp4")
        lesson = VideoLessonPage(title=title, slug=slug, video=media, **fields)
        if not publish:
            lesson.live = False
        parent.add_child(instance=lesson)
        revision = lesson.save_revision()
        if publish:
            revision.publish()
        return VideoLessonPage.objects.get(pk=lesson.pk)

    return make


@pytest.fixture
def video_lesson(make_video_lesson):
    """A one-minute video lesson in `course`."""
    return make_video_lesson("微视频：坚守平凡", slug="video-1", duration=60.0)


@pytest.fixture
def clock(monkeypatch):
    """A controllable django.utils.timezone.now: clock.advance(seconds) moves it forward."""
    import datetime as _datetime

    from django.utils import timezone as _timezone

    class Clock:
        def __init__(self):
            self.now = _timezone.now().replace(microsecond=0)

        def __call__(self):
            return self.now

        def advance(self, seconds):
            self.now += _datetime.timedelta(seconds=seconds)
            return self.now

    fake = Clock()
    monkeypatch.setattr(_timezone, "now", fake)
    return fake


# --- background tasks ------------------------------------------------------------------------------


@pytest.fixture
def task_worker(db):
    """The real django-q2 broker (ORM, or Redis when REDIS_URL is set), emptied first; call
    `task_worker()` to run what was queued, as a cluster worker would (tasks may queue more tasks,
    which run too). Returns the names of the functions run."""
    from django.utils.module_loading import import_string
    from django_q.brokers import get_broker
    from django_q.signing import SignedPackage

    broker = get_broker()
    broker.purge_queue()

    def run(limit=10_000):
        done = []
        while len(done) < limit:
            tasks = broker.dequeue()
            if not tasks:
                return done
            for task_id, payload in tasks:
                task = SignedPackage.loads(payload)
                func = import_string(task["func"]) if isinstance(task["func"], str) else task["func"]
                func(*task["args"], **task["kwargs"])
                broker.acknowledge(task_id)
                done.append(task["func"] if isinstance(task["func"], str) else task["func"].__name__)
        raise AssertionError("tasks kept queueing tasks")

    return run


# --- translations ------------------------------------------------------------------------------


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues():
    """`make setup` compiles every catalogue (compilemessages); when pytest runs straight from a fresh
    clone, compile the stale ones here (the project's locale/ and any lms/*/locale), atomically so
    parallel workers do not trip over each other: tests check the Chinese messages."""
    import os
    import shutil
    import subprocess
    from pathlib import Path

    from django.conf import settings

    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        return
    repo = Path(__file__).resolve().parents[1]
    catalogues = [po for base in settings.LOCALE_PATHS for po in Path(base).glob("*/LC_MESSAGES/*.po")]
    catalogues += list((repo / "lms").glob("*/locale/*/LC_MESSAGES/*.po"))
    changed = False
    for po in catalogues:
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            tmp = mo.with_name(f".{mo.name}.{os.getpid()}.tmp")
            subprocess.run([msgfmt, "-o", str(tmp), str(po)], check=True)
            os.replace(tmp, mo)
            changed = True
    if changed:
        from django.utils.translation.reloader import translation_file_changed

        translation_file_changed(sender=None, file_path=Path("catalogue.mo"))
