"""What learners did, as seen from the content side: lets `courses` protect pages with records."""

from .models import Enrollment, LessonProgress


def learner_records_exist(page) -> bool:
    """Whether any learner has records in this page or anything below it: enrolments in a course,
    progress in a lesson (attendance and attempts join here as those features arrive)."""
    return (Enrollment.objects.filter(course__path__startswith=page.path).exists()
            or LessonProgress.objects.filter(lesson__path__startswith=page.path).exists())
