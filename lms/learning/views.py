import logging
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from wagtail.models import Page

from courses.models import CoursePage, ReadingLessonPage, VideoLessonPage

from . import completion, plans, progress
from .coverage import InvalidReport
from .heartbeat import Contention, apply_report, lookup, parse_report
from .models import CreditEntry, Enrollment, EnrollmentSource

logger = logging.getLogger(__name__)


@login_required
def my_learning(request: HttpRequest) -> HttpResponse:
    person = getattr(request.user, "person", None)
    enrollments = []
    if person is not None:
        enrollments = list(
            Enrollment.objects.current()
            .filter(person=person, course__live=True)
            .select_related("course")
            .order_by("-course__starts_on", "course__path")
        )
    statuses = completion.course_statuses(person, [e.course for e in enrollments])
    program_titles = dict(
        Page.objects.filter(path__in={e.course.path[: -Page.steplen] for e in enrollments}).values_list("path", "title")
    )
    rows = [
        {
            "enrollment": e,
            "course": e.course,
            "program_title": program_titles.get(e.course.path[: -Page.steplen], ""),
            "status": statuses[e.course.pk],
        }
        for e in enrollments
    ]
    year = timezone.localdate().year
    standing = plans.standing(person, year) if person else None
    return render(request, "learning/my_learning.html",
                  {"person": person, "rows": rows, "year": year, "standing": standing})


@login_required
def my_credits(request: HttpRequest) -> HttpResponse:
    """The learner's 学时 ledger for one year (this year unless ?year= names another)."""
    person = getattr(request.user, "person", None)
    if person is None:
        raise Http404
    years = sorted(set(CreditEntry.objects.filter(person=person).values_list("year", flat=True))
                   | {timezone.localdate().year}, reverse=True)
    try:
        year = int(request.GET.get("year", years[0]))
    except ValueError:
        year = years[0]
    if year not in years:
        year = years[0]
    entries = CreditEntry.objects.filter(person=person, year=year).select_related("course")
    return render(request, "learning/my_credits.html", {
        "person": person, "year": year, "years": years, "entries": entries,
        "standing": plans.standing(person, year),
    })


@login_required
@require_POST
def self_enrol(request: HttpRequest, course_id: int) -> HttpResponse:
    course = get_object_or_404(CoursePage.objects.live(), pk=course_id)
    person = getattr(request.user, "person", None)
    if person is None or course.enrolment_mode != "self":
        messages.error(request, _("This course does not take self-enrolment."))
        return redirect(course.url)
    try:
        _enrollment, created = Enrollment.enrol(person, course, EnrollmentSource.SELF, by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        if created:
            messages.success(request, _("You are enrolled in this course."))
    return redirect(course.url)


def _json_error(status, message, **extra):
    return JsonResponse({"ok": False, "error": message, **extra}, status=status)


def _enrolled_learner(request, lesson):
    """The request's person when currently enrolled in the lesson's course, else None."""
    person = getattr(request.user, "person", None)
    if person is None:
        return None
    course_path = lesson.path[: -Page.steplen]
    enrolled = Enrollment.objects.current().filter(person=person, course__path=course_path).exists()
    return person if enrolled else None


@never_cache
@require_POST
def lesson_heartbeat(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """The video player's report (FormData, so that navigator.sendBeacon can send it; CSRF-checked
    by the middleware). Answers JSON: the learner's real coverage, or why nothing was credited.
    A busy database (SQLite lock timeout) is answered 503, and the player sends the same intervals
    again with its next report."""
    try:
        return _lesson_heartbeat(request, lesson_id)
    except (OperationalError, Contention):
        logger.warning("Heartbeat for lesson %s not applied: database busy", lesson_id, exc_info=True)
        return _json_error(503, _("The server is busy; your progress will be sent again."), retry=True)


def _lesson_heartbeat(request: HttpRequest, lesson_id: int) -> HttpResponse:
    # Hot path (every ~15 s per watching learner): one read before the write.
    if not request.user.is_authenticated:
        return _json_error(403, _("Please log in again."), login=True)
    found = lookup(request.user.pk, lesson_id)
    if found is None:
        if VideoLessonPage.objects.filter(pk=lesson_id, live=True, video__isnull=False).exists():
            return _json_error(403, _("You are not enrolled in this course."))
        return _json_error(404, _("This video lesson does not exist."))
    person_id, threshold_percent, max_rate = found.person_id, found.course_threshold, found.course_max_rate
    duration = float(found.video_duration or 0)
    if duration <= 0:
        return _json_error(409, _("This video is not ready yet."))
    try:
        report = parse_report(request.POST, duration)
    except InvalidReport as error:
        return _json_error(400, _("The report was not accepted."), reason=str(error))
    outcome = apply_report(
        person_id, lesson_id, report, duration=duration, max_rate=float(max_rate),
        threshold_percent=threshold_percent, now=timezone.now(), progress=found,
    )
    if outcome.completed_now:
        lesson = Page.objects.only("path").get(pk=lesson_id)
        progress.lesson_completed(outcome.progress.person, lesson)
    body = outcome.as_json()
    if outcome.superseded:
        body["action"] = "pause"
        body["message"] = _("This video is now playing in another window or on another device, so watching "
                            "here is not counted. Press play to continue here instead.")
        return JsonResponse(body, status=409)
    return JsonResponse(body)


@require_POST
def lesson_done(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """A reading lesson is completed: the learner scrolled to its end (the page's script posts
    this) or pressed "mark as done". Answers JSON to scripts, redirects forms back to the lesson."""
    wants_json = request.headers.get("Accept", "").startswith("application/json")
    if not request.user.is_authenticated:
        if wants_json:
            return _json_error(403, _("Please log in again."), login=True)
        raise PermissionDenied
    lesson = get_object_or_404(ReadingLessonPage.objects.live(), pk=lesson_id)
    person = _enrolled_learner(request, lesson)
    if person is None:
        if wants_json:
            return _json_error(403, _("You are not enrolled in this course."))
        raise PermissionDenied
    lesson_progress = progress.record(person, lesson, completed=True)
    if wants_json:
        return JsonResponse({"ok": True, "completed": True,
                             "completed_at": lesson_progress.completed_at.isoformat()})
    messages.success(request, _("Lesson completed."))
    return redirect(lesson.url)
