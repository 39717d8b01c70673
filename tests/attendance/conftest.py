"""Attendance fixtures: a course running today with an enrolled secretary, sessions around a
fixed moment, and a clock the tests move by hand (it patches django.utils.timezone.now, which the
attendance code and Django's auto_now fields read)."""

import datetime
from unittest import mock

import pytest
from django.utils import timezone

from lms.attendance.models import Session, SessionMode
from lms.learning.models import Enrollment, EnrollmentSource

T0 = datetime.datetime(2026, 3, 20, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now

    def set(self, moment):
        self.now = moment
        return moment

    def advance(self, **delta):
        self.now += datetime.timedelta(**delta)
        return self.now


@pytest.fixture
def clock():
    """A hand-moved clock, starting at T0 (2026-03-20 09:00 +08:00, the `course` fixture's day)."""
    fake = Clock(T0)
    with mock.patch.object(timezone, "now", fake):
        yield fake


@pytest.fixture
def enrolled(course, secretary):
    Enrollment.enrol(secretary, course, EnrollmentSource.BULK)
    return secretary


@pytest.fixture
def make_session(course):
    def make(*, minutes=100, starts_at=T0, **fields):
        fields.setdefault("title", "头雁讲坛·社区治理")
        fields.setdefault("mode", SessionMode.HYBRID)
        fields.setdefault("stream_url", "https://live.example.cn/player/42")
        fields.setdefault("course", course)
        return Session.objects.create(starts_at=starts_at, ends_at=starts_at + datetime.timedelta(minutes=minutes),
                                      **fields)

    return make


@pytest.fixture
def session(make_session):
    """A 100-minute hybrid session from T0: present online from 80 minutes."""
    return make_session(speaker="王教授", venue="区委党校报告厅")


def at(minutes=0, seconds=0):
    """T0 plus a number of minutes and seconds."""
    return T0 + datetime.timedelta(minutes=minutes, seconds=seconds)


def ensure_site_tree():
    """What the data migrations create (locale, root page and collection, the HomePage, the default
    site), recreated when a transactional test's flush removed it, then the roles again. The same
    repair as tests/e2e/conftest.py, for the transactional tests here."""
    from django.conf import settings
    from django.core.cache import cache
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Collection, Locale, Page, Site

    from courses.models import HomePage
    from lms.people.roles import ensure_roles

    cache.clear()
    locale = Locale.objects.order_by("pk").first() or Locale.objects.create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE))
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    home = HomePage.objects.first()
    if home is None:
        home = root.add_child(instance=HomePage(title="头雁学习平台", slug="home", locale=locale))
    if not Site.objects.filter(is_default_site=True).exists():
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="头雁 Touyan")
    ensure_roles()
    return HomePage.objects.get(pk=home.pk)


@pytest.fixture
def home_page(db):
    """The catalogue root, repaired first if a flush removed it (see ensure_site_tree)."""
    return ensure_site_tree()
