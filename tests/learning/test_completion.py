"""lms.learning.completion: what a course requires, exact progress, and when an enrolment is completed."""

import datetime
import pytest
from django.utils import timezone

from lms.learning import activities, completion, progress
from lms.learning.models import ActivityKind, Delivery, Enrollment, EnrollmentSource, LessonProgress

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolled(secretary, course):
    Enrollment.enrol(secretary, course, EnrollmentSource.BULK)
    return secretary


def enrollment_of(person, course):
    return Enrollment.objects.current().get(person=person, course=course)


def session(course, number, **fields):
    return activities.sync(course, f"session:test-{number}", kind=ActivityKind.SESSION, title=f"第{number}场",
                           **fields)


def test_it_completes_the_course_when_every_lesson_is_done(enrolled, course, make_lesson):
    first, second = make_lesson("一"), make_lesson("二")
    progress.record(enrolled, first)
    status = completion.course_status(enrolled, course)
    assert [(r.kind, r.done, r.needed) for r in status.requirements] == [("lessons", 1, 2)]
    assert status.percent == 50 and not status.completed
    assert enrollment_of(enrolled, course).completed_at is None
    progress.record(enrolled, second)
    assert enrollment_of(enrolled, course).completed_at is not None
    assert completion.course_status(enrolled, course).percent == 100


def test_it_counts_a_video_only_once_watched_to_the_threshold(enrolled, course, video_lesson):
    LessonProgress.objects.create(person=enrolled, lesson=video_lesson, seconds_covered=50, duration=60)
    assert completion.recompute(enrolled, course).requirements[0].done == 0
    progress.record(enrolled, video_lesson)  # the heartbeat completes it at the threshold
    assert enrollment_of(enrolled, course).completed_at is not None


def test_it_ignores_unpublished_lessons_and_lessons_of_other_courses(enrolled, course, make_course, make_lesson):
    make_lesson("一")
    hidden = make_lesson("草稿", publish=False)
    elsewhere = make_lesson("别的课", parent=make_course("另一门课"))
    progress.record(enrolled, elsewhere)
    status = completion.course_status(enrolled, course)
    assert [(r.done, r.total) for r in status.requirements] == [(0, 1)]
    assert hidden.pk not in {lesson.pk for lesson in course.lessons()}


def test_it_requires_the_declared_share_of_sessions(enrolled, course, make_lesson):
    course.completion_requires_lessons = False
    course.completion_session_percent = 50
    course.save()
    sessions = [session(course, n) for n in range(1, 4)]  # 50% of 3 sessions = 2
    activities.record_result(enrolled, sessions[0].key, done=True)
    status = completion.course_status(enrolled, course)
    assert [(r.kind, r.done, r.needed, r.total) for r in status.requirements] == [("sessions", 1, 2, 3)]
    activities.record_result(enrolled, sessions[2].key, done=True, delivery=Delivery.ONLINE)
    assert enrollment_of(enrolled, course).completed_at is not None


def test_it_does_not_require_cancelled_sessions(enrolled, course):
    course.completion_requires_lessons = False
    course.save()
    attended, cancelled = session(course, 1), session(course, 2)
    activities.record_result(enrolled, attended.key, done=True)
    assert enrollment_of(enrolled, course).completed_at is None
    session(course, 2, required=False)
    assert cancelled.key == "session:test-2"
    completion.recompute_course(course.pk)  # what the queued task runs
    assert enrollment_of(enrolled, course).completed_at is not None


def test_it_requires_every_required_assessment(enrolled, course, make_lesson):
    progress.record(enrolled, make_lesson("一"))
    assert enrollment_of(enrolled, course).completed_at is not None  # before the quiz existed
    quiz = activities.sync(course, "quiz:test", kind=ActivityKind.ASSESSMENT, title="测验")
    status = completion.course_status(enrolled, course)
    assert [(r.kind, r.done, r.needed) for r in status.requirements] == [("lessons", 1, 1), ("assessments", 0, 1)]
    assert status.completed, "a completion stays when the course later grows"
    activities.record_result(enrolled, quiz.key, done=True, delivery=Delivery.ONLINE)
    assert completion.course_status(enrolled, course).requirements[1].met


def test_a_retracted_result_revokes_the_completion(enrolled, course):
    course.completion_requires_lessons = False
    course.save()
    only = session(course, 1)
    activities.record_result(enrolled, only.key, done=True)
    assert enrollment_of(enrolled, course).completed_at is not None
    status = activities.record_result(enrolled, only.key, done=False)  # corrected to absent
    assert not status.completed
    assert enrollment_of(enrolled, course).completed_at is None


def test_a_course_with_nothing_to_do_is_never_completed(enrolled, course):
    status = completion.recompute(enrolled, course)
    assert status.requirements == [] and not status.completed and status.percent == 0


def test_completion_keeps_its_first_time(enrolled, course, make_lesson):
    lesson = make_lesson("一")
    when = timezone.now() - datetime.timedelta(days=2)
    progress.record(enrolled, lesson)
    first = enrollment_of(enrolled, course).completed_at
    completion.recompute(enrolled, course, when=when)
    assert enrollment_of(enrolled, course).completed_at == first


def test_it_reads_many_courses_in_constant_queries(enrolled, course, make_course, make_lesson,
                                                   django_assert_max_num_queries):
    courses = [course] + [make_course(f"课程{n}") for n in range(5)]
    for each in courses:
        make_lesson("一", parent=each)
        Enrollment.enrol(enrolled, each, EnrollmentSource.BULK)
        session(each, f"{each.pk}")
    with django_assert_max_num_queries(5):
        statuses = completion.course_statuses(enrolled, courses)
    assert len(statuses) == 6
    assert all(len(status.requirements) == 2 for status in statuses.values())


def test_only_the_persons_own_results_count(enrolled, other_secretary, course):
    course.completion_requires_lessons = False
    course.save()
    only = session(course, 1)
    activities.record_result(other_secretary, only.key, done=True)
    assert completion.course_status(enrolled, course).requirements[0].done == 0
    assert completion.course_status(None, course).requirements[0].done == 0


def test_enrolling_after_attending_completes_at_once(secretary, course):
    course.completion_requires_lessons = False
    course.save()
    walk_in = session(course, 1)
    activities.record_result(secretary, walk_in.key, done=True)  # admitted at the door, not yet enrolled
    enrollment, created = Enrollment.enrol(secretary, course, EnrollmentSource.BULK)
    assert created and enrollment.completed_at is not None
