"""Scheduled sessions of a course (场次) and who attended them (考勤记录).

There is exactly one `AttendanceRecord` per person per session, whatever the channel the person
came through (live online presence, QR check-in in the hall, roll call, a walk-in admitted by the
training office, approved leave, an imported sign-in sheet, the closing sweep that marks the rest
absent). A hybrid session (a forum held in a hall and streamed) therefore never counts a person
twice, and every change goes through the manager methods below, which lock the one row first.

Live online presence counts unique minutes: the browser says "still here" about once a minute
while the page is open and visible, and the server (by its own clock, never the client's) marks the
minute of the session it falls in, plus the minutes since the previous beat when the beats are
close enough to mean continuous presence. The minutes are a bitmap on the record, so replays,
bursts and beats outside the scheduled time add nothing."""

import datetime
import math
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import minutes as minute_set
from .signals import send_attendance_changed

MAX_SESSION_DURATION = datetime.timedelta(hours=24)
# Beats closer together than this to the previous counted beat add nothing (bursts, replays).
HEARTBEAT_MIN_INTERVAL = datetime.timedelta(seconds=20)
# Beats at most this far apart mean the person stayed: the minutes in between count too. The page
# beats every 60 s while visible, so one late beat (network, a busy phone) still joins up.
HEARTBEAT_MAX_GAP = datetime.timedelta(seconds=90)


class SessionMode(models.TextChoices):
    OFFLINE = "offline", _("In person")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("In person and online")


class SessionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(cancelled=False)

    def not_ended(self, now=None):
        """Sessions still to come or under way."""
        return self.filter(ends_at__gt=now or timezone.now())

    def for_course(self, course):
        return self.filter(course=course)


class Session(models.Model):
    """A scheduled meeting of a course: a forum afternoon, a full-time class day, a live lecture.

    Sessions with attendance records are never deleted (the foreign key protects them and the
    admin refuses); they are cancelled instead, which keeps every record."""

    course = models.ForeignKey("courses.CoursePage", on_delete=models.PROTECT, related_name="sessions",
                               verbose_name=_("course"))
    title = models.CharField(_("title"), max_length=200)
    speaker = models.CharField(_("speaker"), max_length=120, blank=True)
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    mode = models.CharField(_("mode"), max_length=10, choices=SessionMode.choices, default=SessionMode.HYBRID)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True, validators=[MinValueValidator(1)],
                                           help_text=_("Seats in the venue. Leave empty for no limit."))
    credit_hours = models.DecimalField(
        _("credit hours"), max_digits=5, decimal_places=2, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))], help_text=_("学时 for attending this session."))
    credit_days = models.DecimalField(
        _("full-time days"), max_digits=4, decimal_places=1, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Full-time in-person training days this session counts as (6 学时 a day by default)."))
    stream_url = models.URLField(_("stream URL"), max_length=500, blank=True,
                                 help_text=_("The live stream: a player address or a link to the meeting."))
    embed_stream = models.BooleanField(
        _("show the stream in the page"), default=False,
        help_text=_("Only for https player addresses that allow embedding; otherwise learners get a link."))
    present_share = models.DecimalField(
        _("share of minutes for present"), max_digits=3, decimal_places=2, default=Decimal("0.80"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("1"))],
        help_text=_("An online attendee is present after this share of the scheduled minutes (0.80 = 80%)."))
    cancelled = models.BooleanField(_("cancelled"), default=False,
                                    help_text=_("Cancelled sessions keep their records and accept no attendance."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["course", "starts_at"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")),
                                   name="session_ends_after_it_starts"),
        ]

    def __str__(self):
        return f"{self.title} ({timezone.localtime(self.starts_at):%Y-%m-%d %H:%M})"

    def clean(self):
        super().clean()
        errors = {}
        if self.starts_at and self.ends_at:
            if self.ends_at <= self.starts_at:
                errors["ends_at"] = _("The session must end after it starts.")
            elif self.ends_at - self.starts_at > MAX_SESSION_DURATION:
                errors["ends_at"] = _("A session lasts at most 24 hours; schedule one session per day.")
        if self.starts_at and self.course_id:
            course = self.course
            day = timezone.localtime(self.starts_at).date()
            if course.starts_on and course.ends_on and not (course.starts_on <= day <= course.ends_on):
                errors["starts_at"] = _("The session must take place during the course (%(start)s – %(end)s).") % {
                    "start": course.starts_on, "end": course.ends_on}
        if self.embed_stream and not self.stream_url.startswith("https://"):
            errors["embed_stream"] = _("Only an https stream address can be shown in the page.")
        if self.pk and self.starts_at:
            before = Session.objects.filter(pk=self.pk).values_list("starts_at", flat=True).first()
            if before and before != self.starts_at and self.records.filter(minutes_present__gt=0).exists():
                errors.setdefault("starts_at", _(
                    "Online minutes have been recorded against this start time; cancel the session and "
                    "schedule a new one instead of moving it."))
        if errors:
            raise ValidationError(errors)

    # --- schedule -----------------------------------------------------------------------------

    @property
    def scheduled_minutes(self) -> int:
        return max(1, math.ceil((self.ends_at - self.starts_at).total_seconds() / 60))

    @property
    def required_minutes(self) -> int:
        """Minutes of online presence that make an online attendee present."""
        return max(1, math.ceil(Decimal(self.present_share) * self.scheduled_minutes))

    def minute_index(self, moment) -> int:
        return int((moment - self.starts_at).total_seconds() // 60)

    def is_under_way(self, now=None) -> bool:
        now = now or timezone.now()
        return self.starts_at <= now < self.ends_at

    def has_ended(self, now=None) -> bool:
        return (now or timezone.now()) >= self.ends_at

    @property
    def is_online(self) -> bool:
        return self.mode in (SessionMode.ONLINE, SessionMode.HYBRID)

    @property
    def is_in_person(self) -> bool:
        return self.mode in (SessionMode.OFFLINE, SessionMode.HYBRID)

    @property
    def shows_embedded_stream(self) -> bool:
        return bool(self.embed_stream and self.stream_url.startswith("https://"))

    def has_records(self) -> bool:
        return self.records.exists()


class AttendanceChannel(models.TextChoices):
    """How a person's attendance came to be known."""

    LIVE_ONLINE = "live_online", _("Live online")
    QR = "qr", _("QR check-in")
    ROLL_CALL = "roll_call", _("Roll call")
    WALK_IN = "walk_in", _("Walk-in admitted by the training office")
    LEAVE = "leave", _("Approved leave")
    IMPORT = "import", _("Sign-in sheet import")
    SESSION_CLOSE = "session_close", _("Marked absent when the session closed")


# Channels through which the person was seen in the hall: live presence never overrides these.
IN_PERSON_CHANNELS = frozenset({AttendanceChannel.QR, AttendanceChannel.ROLL_CALL, AttendanceChannel.WALK_IN,
                                AttendanceChannel.IMPORT})


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    LATE = "late", _("Late")
    EXCUSED = "excused", _("Excused")
    ABSENT = "absent", _("Absent")


ATTENDED_STATUSES = frozenset({AttendanceStatus.PRESENT, AttendanceStatus.LATE})


@dataclass
class PresenceResult:
    """What one live-presence heartbeat did. `reason` is "counted", "already_counted" (same
    minute), "too_frequent", "not_started", "ended", "cancelled" or "not_online"."""

    record: "AttendanceRecord | None"
    reason: str
    minutes_added: int = 0

    @property
    def counted(self) -> bool:
        return self.minutes_added > 0


class AttendanceRecordManager(models.Manager):
    def _locked(self, person, session, create_defaults):
        """The person's record for the session, locked for the rest of the transaction, created
        from `create_defaults` if missing. Must run inside transaction.atomic().

        Two requests creating the same record at once: the unique constraint lets one insert win;
        the other's insert fails inside its savepoint and it then reads (and locks) the winner."""
        record = self.select_for_update().filter(person=person, session=session).first()
        if record is not None:
            return record, False
        try:
            with transaction.atomic():
                return self.create(person=person, session=session, **create_defaults), True
        except IntegrityError:
            return self.select_for_update().get(person=person, session=session), False

    def record_live_presence(self, person, session, now=None, by=None) -> PresenceResult:
        """Count a live-presence heartbeat of `person` watching `session` online at `now` (the
        server's clock). Enrolment is the caller's check (see access.can_attend)."""
        now = now or timezone.now()
        if session.cancelled:
            return PresenceResult(None, "cancelled")
        if not session.is_online:
            return PresenceResult(None, "not_online")
        if now < session.starts_at:
            return PresenceResult(None, "not_started")
        if now >= session.ends_at:
            return PresenceResult(None, "ended")

        size = session.scheduled_minutes
        with transaction.atomic():
            record, _created = self._locked(person, session, {
                "channel": AttendanceChannel.LIVE_ONLINE, "status": AttendanceStatus.ABSENT,
                "first_seen_at": now, "last_seen_at": now,
            })
            previous = record.last_heartbeat_at
            if previous is not None and previous <= now < previous + HEARTBEAT_MIN_INTERVAL:
                return PresenceResult(record, "too_frequent")
            if previous is not None and now < previous:
                return PresenceResult(record, "too_frequent")  # another server's clock ran ahead

            last = session.minute_index(now)
            first = last
            if previous is not None and previous >= session.starts_at and now - previous <= HEARTBEAT_MAX_GAP:
                first = session.minute_index(previous)
            before = record.minutes_present
            record.presence_minutes = minute_set.mark(record.presence_minutes, first, last, size)
            record.minutes_present = minute_set.count(record.presence_minutes, size)
            record.last_heartbeat_at = now
            record.first_seen_at = min(filter(None, [record.first_seen_at, now]))
            record.last_seen_at = max(filter(None, [record.last_seen_at, now]))
            fields = ["presence_minutes", "minutes_present", "last_heartbeat_at", "first_seen_at", "last_seen_at",
                      "updated_at"]
            if record.minutes_present >= session.required_minutes and not record.attended_in_person \
                    and record.status != AttendanceStatus.PRESENT:
                send_attendance_changed(record, record.status)
                record.status = AttendanceStatus.PRESENT
                record.channel = AttendanceChannel.LIVE_ONLINE
                record.recorded_by = by
                fields += ["status", "channel", "recorded_by"]
            record.save(update_fields=fields)
            added = record.minutes_present - before
            return PresenceResult(record, "counted" if added else "already_counted", added)

    def record_status(self, person, session, *, status, channel, by=None, at=None):
        """Set the person's status for the session through a staff or self-service channel
        (roll call, QR check-in, leave, import ...), creating the one record if needed. Returns
        (record, changed). The policy of which channel may overwrite which stays with the caller;
        live minutes already counted are kept whatever the new status."""
        at = at or timezone.now()
        with transaction.atomic():
            record, created = self._locked(person, session, {
                "channel": channel, "status": status, "recorded_by": by,
                "first_seen_at": at if status in ATTENDED_STATUSES else None,
                "last_seen_at": at if status in ATTENDED_STATUSES else None,
            })
            if created:
                send_attendance_changed(record, None)
                return record, True
            if record.status == status and record.channel == channel:
                return record, False
            if record.status != status:
                send_attendance_changed(record, record.status)
            record.status, record.channel, record.recorded_by = status, channel, by
            if status in ATTENDED_STATUSES:
                record.first_seen_at = record.first_seen_at or at
                record.last_seen_at = max(filter(None, [record.last_seen_at, at]))
            record.save(update_fields=["status", "channel", "recorded_by", "first_seen_at", "last_seen_at",
                                       "updated_at"])
            return record, True


class AttendanceRecord(models.Model):
    """One person's attendance at one session, whatever the channel (see the module docstring).

    `recorded_by`/`updated_at` say who last changed the status and when; the full who/when/
    old → new trail comes with the audit issue. `presence_minutes` is the bitmap of minutes of the
    session the person was seen online; `minutes_present` is its count, kept for queries."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="records", verbose_name=_("session"))
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="attendance_records",
                               verbose_name=_("person"))
    channel = models.CharField(_("channel"), max_length=20, choices=AttendanceChannel.choices)
    status = models.CharField(_("status"), max_length=10, choices=AttendanceStatus.choices,
                              default=AttendanceStatus.ABSENT)
    first_seen_at = models.DateTimeField(_("first seen at"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("last seen at"), null=True, blank=True)
    minutes_present = models.PositiveIntegerField(_("minutes present online"), default=0)
    presence_minutes = models.BinaryField(_("minutes seen online"), default=b"", blank=True, editable=False)
    last_heartbeat_at = models.DateTimeField(_("last online heartbeat"), null=True, blank=True, editable=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("recorded by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = AttendanceRecordManager()

    class Meta:
        verbose_name = _("attendance record")
        verbose_name_plural = _("attendance records")
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="one_attendance_record_per_person_and_session"),
        ]
        indexes = [models.Index(fields=["session", "status"])]

    def __str__(self):
        return f"{self.person} · {self.session} · {self.get_status_display()}"

    @property
    def attended_in_person(self) -> bool:
        return self.channel in IN_PERSON_CHANNELS and self.status in ATTENDED_STATUSES

    @property
    def attended(self) -> bool:
        return self.status in ATTENDED_STATUSES

    def minute_indexes(self) -> list[int]:
        return minute_set.indexes(self.presence_minutes, self.session.scheduled_minutes)
