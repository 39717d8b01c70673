"""Assessments report to learning (completion and 学时) through lms.learning.activities only:
every published quiz is a course activity "quiz:<page id>" and every offline assessment is
"exam:<id>"; a learner's outcome is a result. Learning never imports assessments.

Results are reported inside the transaction that graded them, so a grade and the completion it
earns are committed together (or not at all)."""

import datetime

from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone
from wagtail.signals import page_published, page_unpublished

from lms.learning import activities
from lms.learning.models import ActivityKind, CourseActivity, Delivery


def sync_quiz(quiz):
    """Tell learning what the quiz is: required while it is live and marked required."""
    from courses.models import CoursePage

    course = quiz.get_parent().specific
    if not isinstance(course, CoursePage):
        return None
    return activities.sync(course, quiz.activity_key, kind=ActivityKind.ASSESSMENT, title=quiz.title,
                           required=bool(quiz.live and quiz.required_for_completion))


@receiver(page_published)
def quiz_published(sender, instance, **kwargs):
    from .models import QuizPage

    if isinstance(instance, QuizPage):
        sync_quiz(instance)


@receiver(page_unpublished)
def quiz_unpublished(sender, instance, **kwargs):
    from .models import QuizPage

    if isinstance(instance, QuizPage):
        sync_quiz(instance)


def report_quiz(quiz, person):
    """Record the person's outcome of the quiz (passed or not) once it is decided. Returns the
    outcome."""
    outcome = quiz.outcome_for(person)
    if outcome.pending or outcome.passed is None:
        return outcome
    if not CourseActivity.objects.filter(key=quiz.activity_key).exists():
        sync_quiz(quiz)
    activities.record_result(person, quiz.activity_key, done=outcome.passed, delivery=Delivery.ONLINE,
                             when=outcome.decided_at)
    return outcome


def sync_exam(assessment):
    return activities.sync(
        assessment.course, assessment.activity_key, kind=ActivityKind.ASSESSMENT, title=assessment.title,
        required=assessment.required_for_completion,
        happens_at=_start_of(assessment.held_on),
    )


@receiver(post_save, sender="assessments.OfflineAssessment")
def exam_saved(sender, instance, **kwargs):
    sync_exam(instance)


def report_exam(score):
    """Record an offline score's pass (or fail) for its assessment."""
    when = _start_of(score.assessment.held_on)
    return activities.record_result(score.person, score.assessment.activity_key, done=score.passed,
                                    delivery=Delivery.IN_PERSON, when=when)


def _start_of(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time())) if day else None
