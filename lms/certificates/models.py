"""Certificates of record (DESIGN §4): designed templates, the certificates issued from them and the
bulk-issue batches of the training office.

A certificate is a document of record. What it certifies (holder's name, course, dates, 学时,
issuing organization) is copied onto the row when it is issued and its PDF is rendered once and
stored; a later change of a name, a course or a template never alters it. A correction is a new
version that supersedes the old one; a revocation is recorded with who, when and why. At most one
certificate per person and course is valid at a time (a partial unique constraint, which is also
what keeps concurrent or repeated issuing tasks from producing two)."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from wagtail.models import PreviewableMixin

from lms.taskqueue import QueuedJob

from .placeholders import validate_body

DEFAULT_BODY = ("{name}同志于{start_date}至{end_date}参加{course}，完成全部学习任务，"
                "共计{hours}学时，经考核合格，准予结业。\n\n特发此证。")


class CertificateError(Exception):
    """Issuing or rendering cannot produce a correct certificate (no template, a missing font or
    image file). The message is for staff: it is shown on the batch and the task fails visibly."""


class TitleKind(models.TextChoices):
    COMPLETION = "结业证书", _("Certificate of completion (结业证书)")
    TRAINING = "培训证书", _("Training certificate (培训证书)")
    QUALIFICATION = "合格证书", _("Certificate of qualification (合格证书)")


class PageSize(models.TextChoices):
    A4 = "A4", "A4"
    A5 = "A5", "A5"


class Orientation(models.TextChoices):
    LANDSCAPE = "landscape", _("Landscape")
    PORTRAIT = "portrait", _("Portrait")


class Font(models.TextChoices):
    SERIF = "Noto Serif CJK SC", _("Serif (Noto Serif CJK SC, 宋体 style)")
    SANS = "Noto Sans CJK SC", _("Sans-serif (Noto Sans CJK SC, 黑体 style)")


class CertificateTemplate(PreviewableMixin, models.Model):
    """How a certificate looks and what it says, designed by the training office in the admin.

    A course uses the template that names it, else the one naming its program, else the district
    default. Editing a template changes only certificates issued afterwards."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    title = models.CharField(_("certificate title"), max_length=20, choices=TitleKind.choices,
                             default=TitleKind.COMPLETION)
    page_size = models.CharField(_("page size"), max_length=4, choices=PageSize.choices, default=PageSize.A4)
    orientation = models.CharField(_("orientation"), max_length=10, choices=Orientation.choices,
                                   default=Orientation.LANDSCAPE)
    background = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("background image"), help_text=_("Fills the whole page, behind the text."))
    seal = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("seal (公章) image"), help_text=_("A PNG with a transparent background works best."))
    signatory_name = models.CharField(_("signatory"), max_length=40, blank=True)
    signatory_title = models.CharField(_("signatory's title"), max_length=60, blank=True)
    issuing_organization = models.CharField(_("issuing organization"), max_length=100,
                                            default="中共示范区委组织部")
    body = models.TextField(
        _("body text"), default=DEFAULT_BODY,
        # Literal list (not formatted in): a lazy string formatted at import would be translated
        # once, in whatever language was active, and churn the migrations.
        help_text=_("Placeholders: {name} {course} {start_date} {end_date} {hours} {serial} {issued_on}. "
                    "A blank line starts a new paragraph; <strong>, <em>, <u>, <br> and <p> may be used."))
    font = models.CharField(_("font"), max_length=40, choices=Font.choices, default=Font.SERIF)
    serial_prefix = models.CharField(
        _("serial number prefix"), max_length=8, default="QX",
        help_text=_("Serial numbers read PREFIX-YEAR-NUMBER, e.g. QX-2026-000123."))
    programs = models.ManyToManyField("courses.ProgramPage", blank=True, related_name="+",
                                      verbose_name=_("programs"),
                                      help_text=_("Every course of these programs uses this template."))
    courses = models.ManyToManyField("courses.CoursePage", blank=True, related_name="+",
                                     verbose_name=_("courses"),
                                     help_text=_("These courses use this template (before their program's)."))
    is_district_default = models.BooleanField(
        _("district default"), default=False,
        help_text=_("Used for every course that no other template names. Only one template can be the default."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("certificate template")
        verbose_name_plural = _("certificate templates")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["is_district_default"], condition=Q(is_district_default=True),
                                    name="one_default_certificate_template"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.body is not None:
            try:
                validate_body(self.body)
            except ValidationError as error:
                raise ValidationError({"body": error.messages}) from None
        if self.serial_prefix and not self.serial_prefix.isalnum():
            raise ValidationError({"serial_prefix": gettext("Use letters and digits only.")})
        if self.is_district_default and CertificateTemplate.objects.filter(
                is_district_default=True).exclude(pk=self.pk).exists():
            raise ValidationError({"is_district_default": gettext(
                "Another template is already the district default: untick it there first.")})

    # Live preview in the admin: the certificate with sample data, as a picture of the PDF page
    # (exactly what will be printed, in any browser) or as the PDF itself.
    @property
    def preview_modes(self):
        return [("", gettext("Page image")), ("pdf", "PDF")]

    @property
    def default_preview_size(self):
        return "desktop"

    def serve_preview(self, request, mode_name):
        from .preview import serve_preview

        return serve_preview(self, request, mode_name)

    @classmethod
    def for_course(cls, course):
        """The template a course's certificates use (its own, its program's, the default) or None."""
        chosen = cls.objects.filter(courses=course).order_by("-pk").first()
        if chosen is None:
            from wagtail.models import Page

            chosen = cls.objects.filter(programs__path=course.path[: -Page.steplen]).order_by("-pk").first()
        if chosen is None:
            chosen = cls.objects.filter(is_district_default=True).first()
        return chosen


class Status(models.TextChoices):
    VALID = "valid", _("Valid")
    SUPERSEDED = "superseded", _("Superseded")
    REVOKED = "revoked", _("Revoked")


def new_verification_code():
    """160 random bits, URL-safe (27 characters)."""
    return secrets.token_urlsafe(20)


def certificate_path(certificate, filename):
    return f"certificates/{certificate.issued_at:%Y}/{certificate.serial}.pdf"


class SerialCounter(models.Model):
    """The last serial number handed out per prefix and year. Incremented with one UPDATE in its
    own short transaction (a row lock on PostgreSQL, the write lock on SQLite), so concurrent
    workers never share a number. Numbers are unique and increasing, not gapless: a number taken
    by an issue that then failed (or lost a race) is not reused."""

    prefix = models.CharField(max_length=8)
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="one_serial_counter_per_prefix_year")]

    @classmethod
    def allocate(cls, prefix, year):
        with transaction.atomic():
            if not cls.objects.filter(prefix=prefix, year=year).update(last=F("last") + 1):
                try:
                    with transaction.atomic():
                        cls.objects.create(prefix=prefix, year=year, last=1)
                        return f"{prefix}-{year}-{1:06d}"
                except IntegrityError:  # another worker created it first
                    cls.objects.filter(prefix=prefix, year=year).update(last=F("last") + 1)
            number = cls.objects.filter(prefix=prefix, year=year).values_list("last", flat=True).get()
        return f"{prefix}-{year}-{number:06d}"


class CertificateQuerySet(models.QuerySet):
    def valid(self):
        return self.filter(status=Status.VALID)

    def current(self):
        """Valid or revoked: the latest word on each person and course (superseded ones are history)."""
        return self.exclude(status=Status.SUPERSEDED)


class Certificate(models.Model):
    """One issued certificate (one version of it). See the module docstring for the rules.

    Create, re-issue and revoke through the methods below (issue/reissue render and store the PDF
    before the row is committed, so a certificate never exists without its document)."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="certificates",
                               verbose_name=_("person"))
    course = models.ForeignKey("courses.CoursePage", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("course"))
    template = models.ForeignKey(CertificateTemplate, on_delete=models.PROTECT, related_name="certificates",
                                 verbose_name=_("template"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    serial = models.CharField(_("serial number"), max_length=30, unique=True)
    code = models.CharField(_("verification code"), max_length=64, unique=True, default=new_verification_code)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.VALID,
                              db_index=True)
    supersedes = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="superseded_by", verbose_name=_("supersedes"))
    # What was certified, frozen at issue.
    title = models.CharField(_("certificate title"), max_length=20)
    holder_name = models.CharField(_("holder's name"), max_length=60)
    course_title = models.CharField(_("course title"), max_length=255)
    starts_on = models.DateField(_("course starts on"))
    ends_on = models.DateField(_("course ends on"))
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    credit_hours = models.DecimalField(_("credit hours"), max_digits=6, decimal_places=2)
    issuing_organization = models.CharField(_("issuing organization"), max_length=100)
    issued_on = models.DateField(_("issued on"))
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("issued by"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("revoked by"))
    revoke_reason = models.TextField(_("reason for revocation"), blank=True)
    pdf = models.FileField(_("PDF"), upload_to=certificate_path, max_length=200)

    objects = CertificateQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["person", "course"], condition=Q(status="valid"),
                                    name="one_valid_certificate_per_person_and_course"),
            models.UniqueConstraint(fields=["person", "course", "version"],
                                    name="one_certificate_version_per_person_and_course"),
        ]
        indexes = [models.Index(fields=["course", "status"])]

    def __str__(self):
        return f"{self.serial} · {self.holder_name}"

    @property
    def is_valid(self):
        return self.status == Status.VALID

    def verification_path(self):
        return reverse("certificate-verify", args=[self.code])

    def verification_url(self):
        return absolute_url(self.verification_path())

    def filename(self):
        return f"{self.serial}.pdf"

    # --- the life of a certificate ----------------------------------------------------------------

    @classmethod
    def issue(cls, person, course, *, by=None, template=None):
        """Issue the person's certificate for the course, unless they already have one (valid or
        revoked). Returns (certificate, created). Idempotent: see lms.certificates.issuing.issue."""
        from . import issuing

        return issuing.issue(person, course, by=by, template=template)

    def reissue(self, *, by=None, template=None):
        """A new version from the person's and course's data as they are now (e.g. after a name
        correction), superseding this one. A revoked certificate may be re-issued too (it stays
        revoked). Returns the new certificate."""
        from . import issuing

        return issuing.reissue(self, by=by, template=template)

    def revoke(self, reason, by=None):
        """Withdraw a valid certificate, recording who, when and why. The reason is required."""
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError(gettext("Give the reason for revoking the certificate."))
        with transaction.atomic():
            locked = Certificate.objects.select_for_update().get(pk=self.pk)
            if locked.status != Status.VALID:
                raise ValidationError(gettext("Only a valid certificate can be revoked."))
            locked.status, locked.revoked_at, locked.revoked_by, locked.revoke_reason = (
                Status.REVOKED, timezone.now(), by, reason)
            locked._history_user = by  # the audit trail's author when there is no request (tasks)
            locked.save(update_fields=["status", "revoked_at", "revoked_by", "revoke_reason"])
        self.refresh_from_db()
        return self


def absolute_url(path):
    base = getattr(settings, "BASE_URL", None) or settings.WAGTAILADMIN_BASE_URL
    return base.rstrip("/") + path


class BatchStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class IssueBatch(QueuedJob):
    """The training office's bulk issue for a course: every completed enrolment (within the
    requester's scope) without a certificate. Runs as a task; progress and errors are kept here so
    the admin shows a progress bar and a retry. Running it again issues only what is missing."""

    course = models.ForeignKey("courses.CoursePage", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("course"))
    status = models.CharField(_("status"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.QUEUED)
    total = models.PositiveIntegerField(_("to issue"), default=0)
    done = models.PositiveIntegerField(_("issued"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)

    class Meta:
        verbose_name = _("certificate batch")
        verbose_name_plural = _("certificate batches")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.course} · {self.get_status_display()}"

    @property
    def percent(self):
        if self.status == BatchStatus.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, int(100 * (self.done + self.failed) / self.total))
