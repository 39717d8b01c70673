from functools import reduce
from operator import or_

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.models import Page

from courses.models import CoursePage

from .models import Enrollment, EnrollmentSource


def _live_lesson_counts(courses):
    """Number of live lessons per course, in one query whatever the number of courses."""
    if not courses:
        return {}
    depth = courses[0].depth + 1
    under_any = reduce(or_, (Q(path__startswith=course.path) for course in courses))
    counts = {course.path: 0 for course in courses}
    for path in Page.objects.filter(under_any, depth=depth, live=True).values_list("path", flat=True):
        counts[path[: -Page.steplen]] += 1
    return counts


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
    counts = _live_lesson_counts([e.course for e in enrollments])
    program_titles = dict(
        Page.objects.filter(path__in={e.course.path[: -Page.steplen] for e in enrollments}).values_list("path", "title")
    )
    rows = [
        {
            "enrollment": e,
            "course": e.course,
            "program_title": program_titles.get(e.course.path[: -Page.steplen], ""),
            "lesson_count": counts.get(e.course.path, 0),
        }
        for e in enrollments
    ]
    return render(request, "learning/my_learning.html", {"person": person, "rows": rows})


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
