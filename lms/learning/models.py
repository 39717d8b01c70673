"""Who is in which course. Unenrolling closes an enrolment instead of deleting it, so the history
of who was in a course (and everything they did there) is kept."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EnrollmentSource(models.TextChoices):
    AUDIENCE = "audience", _("Audience rule")
    BULK = "bulk", _("Bulk by the training office")
    SELF = "self", _("Self-enrolment")
    IMPORT = "import", _("Import")


class EnrollmentQuerySet(models.QuerySet):
    def current(self):
        return self.filter(withdrawn_at__isnull=True)


class Enrollment(models.Model):
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="enrollments",
                               verbose_name=_("person"))
    course = models.ForeignKey("courses.CoursePage", on_delete=models.PROTECT, related_name="enrollments",
                               verbose_name=_("course"))
    source = models.CharField(_("source"), max_length=20, choices=EnrollmentSource.choices)
    enrolled_at = models.DateTimeField(_("enrolled at"), default=timezone.now)
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("enrolled by"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        constraints = [
            models.UniqueConstraint(fields=["person", "course"], condition=Q(withdrawn_at__isnull=True),
                                    name="one_current_enrollment_per_person_and_course"),
        ]
        indexes = [models.Index(fields=["course", "person"])]

    def __str__(self):
        return f"{self.person} · {self.course}"

    @classmethod
    def enrol(cls, person, course, source, by=None):
        """Enrol the person unless already enrolled; returns (enrollment, created)."""
        existing = cls.objects.current().filter(person=person, course=course).first()
        if existing:
            return existing, False
        if source == EnrollmentSource.SELF and not course.audience_includes(person):
            raise ValidationError(_("This course is not open to you."))
        try:
            with transaction.atomic():
                return cls.objects.create(person=person, course=course, source=source, enrolled_by=by), True
        except IntegrityError:  # a concurrent request (double tap) enrolled them first
            return cls.objects.current().get(person=person, course=course), False

    def withdraw(self):
        if self.withdrawn_at is None:
            self.withdrawn_at = timezone.now()
            self.save(update_fields=["withdrawn_at"])


class LessonProgress(models.Model):
    """What one person did in one lesson: when they started and completed it and, for a video,
    which seconds they actually played (a bitmap, one bit per second: see lms.learning.coverage).

    Written only through lms.learning.progress (reading lessons, other apps) and the video
    heartbeat (lms.learning.heartbeat). `playback_id` is the learner's one active playback of the
    video (latest wins): reports from any other playback are not credited."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="lesson_progress",
                               verbose_name=_("person"))
    lesson = models.ForeignKey("wagtailcore.Page", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("lesson"))
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    # Video watching
    coverage = models.BinaryField(_("coverage"), default=b"", blank=True)
    seconds_covered = models.PositiveIntegerField(_("seconds watched"), default=0)
    duration = models.FloatField(_("duration (seconds)"), default=0)
    last_position = models.FloatField(_("last position (seconds)"), default=0)
    last_report_at = models.DateTimeField(_("last report at"), null=True, blank=True)
    playback_id = models.CharField(_("active playback"), max_length=64, blank=True)
    # Bumped by every heartbeat write: the compare-and-set that keeps concurrent reports honest.
    revision = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("lesson progress")
        verbose_name_plural = _("lesson progress")
        constraints = [
            models.UniqueConstraint(fields=["person", "lesson"], name="one_progress_per_person_and_lesson"),
        ]

    def __str__(self):
        return f"{self.person} · {self.lesson_id}"

    @property
    def percent(self):
        from .coverage import percent

        return percent(self.seconds_covered, self.duration)

    @property
    def completed(self):
        return self.completed_at is not None
