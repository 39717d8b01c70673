"""Build the demo catalogue (programs, courses, reading lessons) as published Wagtail pages.

A page is found by its slug under its parent; only missing pages are created (and published
once), so loading again adds no page and no revision."""

from django.core.management.base import CommandError
from wagtail.models import Page

from courses.models import CoursePage, CreditBasis, HomePage, ProgramPage, ReadingLessonPage, VideoLessonPage

from . import videos
from .curriculum import PROGRAMS


class Catalogue:
    def __init__(self):
        self.courses = {}  # (program slug, course slug) -> CoursePage
        self.audiences = {}  # course pk -> audience key from the curriculum
        self.pages_created = 0
        self.videos_rendered = 0


def _child(parent, slug):
    page = Page.objects.child_of(parent).filter(slug=slug).first()
    return page.specific if page else None


def _ensure(parent, page, owner, publisher):
    existing = _child(parent, page.slug)
    if existing is not None:
        return existing, False
    page.owner = owner
    parent.add_child(instance=page)
    page.save_revision(user=owner).publish(user=publisher, skip_permission_checks=True)
    return page, True


def ensure_catalogue(owner=None, publisher=None):
    """Pages are drafted by `owner` (the demo trainer) and published by `publisher` (the training office)."""
    home = HomePage.objects.filter(depth=2).first()
    if home is None:
        raise CommandError("No home page: run `manage.py migrate` first.")
    catalogue = Catalogue()
    for program in PROGRAMS:
        program_page, created = _ensure(home, ProgramPage(
            title=program["title"], slug=program["slug"], kind=program["kind"], cadence=program["cadence"],
            audience_description=program["audience_description"], summary=program["summary"],
            intro=program["intro"],
        ), owner, publisher)
        catalogue.pages_created += created
        for course in program["courses"]:
            course_page, created = _ensure(program_page, CoursePage(
                title=course["title"], slug=course["slug"], year=course["year"], starts_on=course["starts_on"],
                ends_on=course["ends_on"], credit_hours=course["credit_hours"],
                credit_basis=course.get("credit_basis", CreditBasis.PARTS),
                enrolment_mode=course["enrolment_mode"], audience_org_types=list(course["audience_org_types"]),
                audience_categories=list(course["audience_categories"]), summary=course["summary"],
                body=course["body"],
            ), owner, publisher)
            catalogue.pages_created += created
            catalogue.courses[(program["slug"], course["slug"])] = course_page
            catalogue.audiences[course_page.pk] = course["audience"]
            for lesson in course["lessons"]:
                _page, created = _ensure(course_page, ReadingLessonPage(
                    title=lesson["title"], slug=lesson["slug"], estimated_minutes=lesson["minutes"],
                    body=lesson["body"],
                ), owner, publisher)
                catalogue.pages_created += created
            for film in course.get("videos", ()):
                media, rendered = videos.ensure_media(film["slug"], film["title"], film["seconds"], film["colour"])
                catalogue.videos_rendered += rendered
                subtitles = videos.ensure_subtitles(film["slug"], film["title"], film["summary"], film["seconds"])
                _page, created = _ensure(course_page, VideoLessonPage(
                    title=f"《{film['title']}》", slug=film["slug"], estimated_minutes=max(1, film["seconds"] // 60),
                    video=media, subtitles=subtitles, description=f"<p>{film['summary']}</p>",
                ), owner, publisher)
                catalogue.pages_created += created
    return catalogue
