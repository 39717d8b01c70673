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
