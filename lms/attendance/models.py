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
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from simple_history.models import HistoricalRecords

from lms.rowsql import insert_with_history_if_absent

from . import minutes as minute_set
from .signals import send_attendance_changed

MAX_SESSION_DURATION = datetime.timedelta(hours=24)
# Beats closer together than this to the previous counted beat add nothing (bursts, replays).
HEARTBEAT_MIN_INTERVAL = datetime.timedelta(seconds=20)
# Beats at most this far apart mean the person stayed: the minutes in between count too. The page
# beats every 60 s while visible, so one late beat (network, a busy phone) still joins up.
HEARTBEAT_MAX_GAP = datetime.timedelta(seconds=90)

# The audit trail (django-simple-history, read by lms.audit): the reason each history row gives.
# Stored as the English msgid and translated when shown, so the trail reads in the viewer's language.
REASON_ROLL_CALL_REST_ABSENT = gettext_noop("Roll call: everyone without a record marked absent")
REASON_SESSION_CLOSED = gettext_noop("Marked absent automatically when the session ended")

_UNSET = object()


def attribute_history(instance, *, user=_UNSET, reason=None):
    """Say who made (`user`, None for the system) and why (`reason`) the change the next save of
    `instance` records in its history. Without `user`, simple-history takes the request's user
    (HistoryRequestMiddleware); a task has no request, so task code passes the user it knows."""
    if user is not _UNSET:
        instance._history_user = user
    if reason:
        instance._change_reason = reason
    return instance


@contextmanager
def history_skipped(instance):
    """Save `instance` without a history row: for saves that change nothing worth auditing
    (live-presence minutes, which a heartbeat adds every minute)."""
    instance.skip_history_when_saving = True
    try:
        yield instance
    finally:
        del instance.skip_history_when_saving


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
    checkin_opens_minutes = models.PositiveSmallIntegerField(
        _("check-in opens (minutes before the start)"), default=30, validators=[MaxValueValidator(24 * 60)],
        help_text=_("QR check-in opens this many minutes before the start and closes at the end."))
    late_after_minutes = models.PositiveSmallIntegerField(
        _("late after (minutes after the start)"), default=10, validators=[MaxValueValidator(24 * 60)],
        help_text=_("Checking in more than this many minutes after the start counts as late."))
    closed_at = models.DateTimeField(
        _("closed at"), null=True, blank=True, editable=False,
        help_text=_("When the closing sweep marked the enrolled persons without a record absent."))
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

    # --- check-in window ----------------------------------------------------------------------

    @property
    def checkin_opens_at(self):
        return self.starts_at - datetime.timedelta(minutes=self.checkin_opens_minutes)

    @property
    def late_from(self):
        return self.starts_at + datetime.timedelta(minutes=self.late_after_minutes)

    def checkin_state(self, now=None) -> str:
        """Whether self check-in in the hall works at `now`: "open", "not_open" (too early),
        "closed" (ended), "cancelled" or "not_in_person" (an online-only session)."""
        now = now or timezone.now()
        if self.cancelled:
            return "cancelled"
        if not self.is_in_person:
            return "not_in_person"
        if now < self.checkin_opens_at:
            return "not_open"
        if now >= self.ends_at:
            return "closed"
        return "open"

    def arrival_status(self, at) -> str:
        """Present when arriving before the grace period is over, late after it."""
        return AttendanceStatus.PRESENT if at <= self.late_from else AttendanceStatus.LATE

    # --- who is expected ----------------------------------------------------------------------

    def enrolled_persons(self):
        """Persons currently enrolled in the session's course."""
        from lms.learning.models import Enrollment
        from lms.people.models import Person

        return Person.objects.filter(pk__in=Enrollment.objects.current().filter(course_id=self.course_id)
                                     .values("person_id"))

    def roster(self):
        """Everyone the session's attendance is about: the enrolled, plus anyone with a record
        (a walk-in, or someone who withdrew after attending)."""
        from lms.people.models import Person

        return Person.objects.filter(models.Q(pk__in=self.enrolled_persons().values("pk"))
                                     | models.Q(pk__in=self.records.values("person_id")))

    def mark_unmarked_absent(self, *, channel, by=None, persons=None, at=None) -> int:
        """Mark every enrolled person (of `persons`, if given: a staff member's scope) who has no
        record yet absent. Returns how many were marked; running it again marks nobody.

        One save per person (not a bulk insert) on purpose: each goes through record_status, so
        each gets its history row (who: `by`, or nobody for the closing sweep; and why)."""
        unmarked = self.enrolled_persons().exclude(pk__in=self.records.values("person_id"))
        if persons is not None:
            unmarked = unmarked.filter(pk__in=persons.values("pk"))
        reason = REASON_SESSION_CLOSED if channel == AttendanceChannel.SESSION_CLOSE else REASON_ROLL_CALL_REST_ABSENT
        marked = 0
        for person in unmarked.order_by("pk").iterator(chunk_size=500):
            _record, changed = AttendanceRecord.objects.record_status(
                person, self, status=AttendanceStatus.ABSENT, channel=channel, by=by, at=at, reason=reason)
            marked += changed
        return marked

    def close(self, now=None) -> int:
        """The closing sweep (see lms.attendance.tasks): once the session has ended, enrolled
        persons still without a record become absent, and the session is marked closed."""
        now = now or timezone.now()
        if self.cancelled or not self.has_ended(now):
            return 0
        marked = self.mark_unmarked_absent(channel=AttendanceChannel.SESSION_CLOSE, at=now)
        Session.objects.filter(pk=self.pk, closed_at__isnull=True).update(closed_at=now)
        return marked


class AttendanceChannel(models.TextChoices):
    """How a person's attendance came to be known."""

    LIVE_ONLINE = "live_online", _("Live online")
    QR = "qr", _("QR check-in")
    ROLL_CALL = "roll_call", _("Roll call")
    WALK_IN = "walk_in", _("Walk-in admitted by the training office")
    LEAVE = "leave", _("Approved leave")
    IMPORT = "import", _("Sign-in sheet import")
    SESSION_CLOSE = "session_close", _("Marked absent when the session closed")


# The history reason of a change through each channel: the channel's own label (msgid).
CHANNEL_HISTORY_REASONS = {
    AttendanceChannel.LIVE_ONLINE: gettext_noop("Live online"),
    AttendanceChannel.QR: gettext_noop("QR check-in"),
    AttendanceChannel.ROLL_CALL: gettext_noop("Roll call"),
    AttendanceChannel.WALK_IN: gettext_noop("Walk-in admitted by the training office"),
    AttendanceChannel.LEAVE: gettext_noop("Approved leave"),
    AttendanceChannel.IMPORT: gettext_noop("Sign-in sheet import"),
    AttendanceChannel.SESSION_CLOSE: REASON_SESSION_CLOSED,
}

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
    def _created(self, person, session, create_defaults, history=None):
        """The person's record for the session, created from `create_defaults` with its history
        row (attributed with `history`: the keyword arguments of
        lms.rowsql.insert_with_history_if_absent), or None if it exists already.

        Both rows are written by hand-built INSERTs (lms.rowsql; on PostgreSQL one statement
        that needs no transaction of its own): a QR burst creates hundreds of records a minute,
        and Model.save with simple-history's receiver cost three times as much CPU. Two requests
        creating the same record at once: the unique constraint lets one insert win; the other
        inserts nothing and gets None."""
        record = self.model(person=person, session=session, **create_defaults)
        created = insert_with_history_if_absent(record, conflict_fields=("session", "person"), using=self.db,
                                                **(history or {}))
        return record if created else None

    def _locked(self, person, session, create_defaults, history=None):
        """The person's record for the session, locked for the rest of the transaction, created
        if missing (see _created). Must run inside transaction.atomic()."""
        record = self.select_for_update().filter(person=person, session=session).first()
        if record is not None:
            return record, False
        record = self._created(person, session, create_defaults, history)
        if record is not None:
            return record, True
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
            previous_status = record.status
            if record.minutes_present >= session.required_minutes and not record.attended_in_person \
                    and record.status != AttendanceStatus.PRESENT:
                record.status = AttendanceStatus.PRESENT
                record.channel = AttendanceChannel.LIVE_ONLINE
                record.recorded_by = by
                record.learning_reported = False
                fields += ["status", "channel", "recorded_by", "learning_reported"]
                attribute_history(record, reason=CHANNEL_HISTORY_REASONS[AttendanceChannel.LIVE_ONLINE],
                                  **({"user": by} if by is not None else {}))
                record.save(update_fields=fields)
                send_attendance_changed(record, previous_status)
            else:
                # Only minutes were added: no history row (the audit trail follows status and
                # channel; a beat a minute would flood it). The minutes stay on the record.
                with history_skipped(record):
                    record.save(update_fields=fields)
            added = record.minutes_present - before
            return PresenceResult(record, "counted" if added else "already_counted", added)

    def record_status(self, person, session, *, status, channel, by=None, at=None, unless=None, reason=None):
        """Set the person's status for the session through a staff or self-service channel
        (roll call, QR check-in, leave, import ...), creating the one record if needed. Returns
        (record, changed). The policy of which channel may overwrite which stays with the caller:
        `unless(record)`, if given, is asked about an existing record once it is locked, and a
        true answer leaves it unchanged (so the caller needs no lock and read of its own); live
        minutes already counted are kept whatever the new status.

        Every change writes one history row in the same transaction: by `by` (else the request's
        user; nobody for the closing sweep), with `reason` or the channel's name as its reason."""
        at = at or timezone.now()
        history = {"reason": reason or CHANNEL_HISTORY_REASONS.get(channel)}
        if channel == AttendanceChannel.SESSION_CLOSE:
            history["user"] = by  # the sweep is the system's, even when a request runs it
        elif by is not None:
            history["user"] = by
        # The record is usually new (a QR scan, a roll call mark): insert it first, and read and
        # lock it only if it exists.
        record = self._created(person, session, {
            "channel": channel, "status": status, "recorded_by": by,
            "first_seen_at": at if status in ATTENDED_STATUSES else None,
            "last_seen_at": at if status in ATTENDED_STATUSES else None,
        }, history)
        if record is not None:
            send_attendance_changed(record, None)
            return record, True
        with transaction.atomic():
            record = self.select_for_update().get(person=person, session=session)
            if unless is not None and unless(record):
                return record, False
            if record.status == status and record.channel == channel:
                return record, False
            online_before, online_now = record.channel == AttendanceChannel.LIVE_ONLINE, \
                channel == AttendanceChannel.LIVE_ONLINE
            previous_status = record.status
            record.status, record.channel, record.recorded_by = status, channel, by
            if status in ATTENDED_STATUSES:
                record.first_seen_at = record.first_seen_at or at
                record.last_seen_at = max(filter(None, [record.last_seen_at, at]))
            # A new status, or attended another way (online, then in the hall): 学时 differ.
            learning_differs = previous_status != status or (status in ATTENDED_STATUSES
                                                             and online_before != online_now)
            fields = ["status", "channel", "recorded_by", "first_seen_at", "last_seen_at", "updated_at"]
            if learning_differs:
                record.learning_reported = False
                fields.append("learning_reported")
            attribute_history(record, **history)
            record.save(update_fields=fields)
            if learning_differs:
                send_attendance_changed(record, previous_status)
            return record, True


class AttendanceRecord(models.Model):
    """One person's attendance at one session, whatever the channel (see the module docstring).

    `recorded_by`/`updated_at` say who last changed the status and when; `history` keeps the
    full who/when/old → new trail (django-simple-history, shown by lms.audit). `presence_minutes` is the bitmap of minutes of the
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
    # False from a change that matters to learning (completion, 学时) until lms.attendance.learning_feed
    # has reported it: the outbox of that report, written with the change itself.
    learning_reported = models.BooleanField(_("reported to learning"), default=False, editable=False)

    objects = AttendanceRecordManager()
    # who/when/old → new of status and channel (lms.audit). The minute bitmap stays out of it:
    # heartbeats that only add minutes write no history row (record_live_presence); so does the
    # learning report's bookkeeping.
    history = HistoricalRecords(excluded_fields=["presence_minutes", "last_heartbeat_at", "learning_reported"])

    class Meta:
        verbose_name = _("attendance record")
        verbose_name_plural = _("attendance records")
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="one_attendance_record_per_person_and_session"),
        ]
        indexes = [
            models.Index(fields=["session", "status"]),
            models.Index(fields=["session"], condition=models.Q(learning_reported=False),
                         name="attendance_record_unreported"),
        ]

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


# --- leave (请假) ---------------------------------------------------------------------------------

# Leave during a full-time class may not exceed this share of its hours (the cadre-training
# regulation); beyond it the trainee is withdrawn (退学), which the training office confirms.
FULL_TIME_LEAVE_SHARE = Decimal(1) / Decimal(7)
FULL_TIME_HOURS_PER_DAY = Decimal(6)


class LeaveStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Withdrawn by the learner")


OPEN_LEAVE_STATUSES = (LeaveStatus.PENDING, LeaveStatus.APPROVED)


@dataclass(frozen=True)
class LeaveBalance:
    """A person's approved leave in a course's full-time sessions (those with credit days),
    against the 1/7 limit. Days are the sessions' full-time days; hours are 6 a day."""

    course_days: Decimal
    leave_days: Decimal

    @property
    def limit_days(self) -> Decimal:
        return (self.course_days * FULL_TIME_LEAVE_SHARE).quantize(Decimal("0.01"))

    @property
    def course_hours(self) -> Decimal:
        return self.course_days * FULL_TIME_HOURS_PER_DAY

    @property
    def leave_hours(self) -> Decimal:
        return self.leave_days * FULL_TIME_HOURS_PER_DAY

    @property
    def limit_hours(self) -> Decimal:
        return (self.course_hours * FULL_TIME_LEAVE_SHARE).quantize(Decimal("0.01"))

    @property
    def exceeded(self) -> bool:
        # leave / course > 1/7, in exact arithmetic
        return self.course_days > 0 and self.leave_days * 7 > self.course_days

    @classmethod
    def of(cls, person, course, *, adding=None):
        """The balance now, or as it would be after also approving leave for session `adding`."""
        full_time = Session.objects.active().for_course(course).filter(credit_days__gt=0)
        course_days = full_time.aggregate(total=models.Sum("credit_days"))["total"] or Decimal("0")
        approved = full_time.filter(leave_requests__person=person, leave_requests__status=LeaveStatus.APPROVED)
        if adding is not None and adding.credit_days > 0:
            approved = full_time.filter(models.Q(pk__in=approved.values("pk")) | models.Q(pk=adding.pk))
        leave_days = approved.aggregate(total=models.Sum("credit_days"))["total"] or Decimal("0")
        return cls(course_days=Decimal(course_days), leave_days=Decimal(leave_days))


class LeaveRequestQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=LeaveStatus.PENDING)

    def open(self):
        return self.filter(status__in=OPEN_LEAVE_STATUSES)


class LeaveRequest(models.Model):
    """A learner asks to be excused from a session, with a reason; the training office approves
    (the attendance record becomes excused through the leave channel) or rejects. For full-time
    class sessions the approval checks the 1/7 rule (LeaveBalance) and, past it, flags the
    enrolment for withdrawal (WithdrawalFlag), which the training office confirms."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="leave_requests",
                                verbose_name=_("session"))
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="leave_requests",
                               verbose_name=_("person"))
    reason = models.TextField(_("reason"), max_length=500)
    status = models.CharField(_("status"), max_length=10, choices=LeaveStatus.choices, default=LeaveStatus.PENDING)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("decided by"))
    decision_note = models.CharField(_("note"), max_length=200, blank=True)

    objects = LeaveRequestQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("leave request")
        verbose_name_plural = _("leave requests")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], condition=models.Q(status__in=OPEN_LEAVE_STATUSES),
                                    name="one_open_leave_request_per_person_and_session"),
        ]

    def __str__(self):
        return f"{self.person} · {self.session} · {self.get_status_display()}"

    @classmethod
    def request(cls, person, session, reason, now=None):
        """The learner's request. Refused (ValidationError) for a cancelled or ended session, an
        empty reason, or when an open request exists already."""
        now = now or timezone.now()
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError(_("Give a reason for the leave."))
        if session.cancelled:
            raise ValidationError(_("This session has been cancelled."))
        if session.has_ended(now):
            raise ValidationError(_("This session has ended; leave can no longer be requested."))
        try:
            with transaction.atomic():
                return cls.objects.create(person=person, session=session, reason=reason[:500], requested_at=now)
        except IntegrityError:
            raise ValidationError(_("You have already requested leave for this session.")) from None

    def balance_if_approved(self) -> LeaveBalance | None:
        """The 1/7 balance after approving this request, for full-time sessions (else None)."""
        if self.session.credit_days <= 0:
            return None
        return LeaveBalance.of(self.person, self.session.course, adding=self.session)

    def _decide(self, status, by, note, now):
        with transaction.atomic():
            locked = LeaveRequest.objects.select_for_update().get(pk=self.pk)
            if locked.status != LeaveStatus.PENDING:
                raise ValidationError(_("This leave request has already been decided."))
            locked.status, locked.decided_by, locked.decided_at = status, by, now or timezone.now()
            locked.decision_note = (note or "")[:200]
            if by is not None:
                attribute_history(locked, user=by)
            locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
            for name in ("status", "decided_by_id", "decided_at", "decision_note"):
                setattr(self, name, getattr(locked, name))
            return locked

    def approve(self, by, note="", now=None):
        """Approve: the person is excused (channel leave). Returns the WithdrawalFlag raised when
        the approved leave now exceeds 1/7 of the course's full-time days, else None."""
        with transaction.atomic():
            self._decide(LeaveStatus.APPROVED, by, note, now)
            AttendanceRecord.objects.record_status(self.person, self.session, status=AttendanceStatus.EXCUSED,
                                                   channel=AttendanceChannel.LEAVE, by=by, at=self.decided_at)
            balance = LeaveBalance.of(self.person, self.session.course) if self.session.credit_days > 0 else None
            if balance is not None and balance.exceeded:
                return WithdrawalFlag.raise_for(self.person, self.session.course, balance, now=self.decided_at)
        return None

    def reject(self, by, note="", now=None):
        self._decide(LeaveStatus.REJECTED, by, note, now)

    def cancel(self, now=None):
        """The learner takes back a pending request."""
        self._decide(LeaveStatus.CANCELLED, None, "", now)


class WithdrawalStatus(models.TextChoices):
    OPEN = "open", _("Awaiting decision")
    CONFIRMED = "confirmed", _("Withdrawn")
    DISMISSED = "dismissed", _("Dismissed")


class WithdrawalFlag(models.Model):
    """The approved leave of a person in a full-time class has passed 1/7 of its days: the
    training office decides whether to withdraw them (退学: Enrollment.withdraw()) or dismiss
    the flag. One open flag per person and course."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="withdrawal_flags",
                               verbose_name=_("person"))
    course = models.ForeignKey("courses.CoursePage", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("course"))
    leave_days = models.DecimalField(_("approved leave (days)"), max_digits=5, decimal_places=1)
    course_days = models.DecimalField(_("full-time days of the course"), max_digits=5, decimal_places=1)
    status = models.CharField(_("status"), max_length=10, choices=WithdrawalStatus.choices,
                              default=WithdrawalStatus.OPEN)
    raised_at = models.DateTimeField(_("raised at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("decided by"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("withdrawal flag")
        verbose_name_plural = _("withdrawal flags")
        ordering = ["-raised_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["person", "course"], condition=models.Q(status="open"),
                                    name="one_open_withdrawal_flag_per_person_and_course"),
        ]

    def __str__(self):
        return f"{self.person} · {self.course} · {self.get_status_display()}"

    @classmethod
    def raise_for(cls, person, course, balance, now=None):
        """Open a flag, or bring the open one up to date."""
        values = {"leave_days": balance.leave_days, "course_days": balance.course_days}
        flag = cls.objects.filter(person=person, course=course, status=WithdrawalStatus.OPEN).first()
        if flag is not None:
            # A save, not a queryset update, so the new figures are in the flag's history.
            if (flag.leave_days, flag.course_days) != (values["leave_days"], values["course_days"]):
                flag.leave_days, flag.course_days = values["leave_days"], values["course_days"]
                flag.save(update_fields=["leave_days", "course_days"])
            return flag
        try:
            with transaction.atomic():
                return cls.objects.create(person=person, course=course, raised_at=now or timezone.now(), **values)
        except IntegrityError:
            return cls.objects.get(person=person, course=course, status=WithdrawalStatus.OPEN)

    def decide(self, *, withdraw, by, now=None):
        """Confirm the withdrawal (closing the enrolment) or dismiss the flag."""
        from lms.learning.models import Enrollment

        with transaction.atomic():
            locked = WithdrawalFlag.objects.select_for_update().get(pk=self.pk)
            if locked.status != WithdrawalStatus.OPEN:
                raise ValidationError(_("This withdrawal has already been decided."))
            locked.status = WithdrawalStatus.CONFIRMED if withdraw else WithdrawalStatus.DISMISSED
            locked.decided_by, locked.decided_at = by, now or timezone.now()
            if by is not None:
                attribute_history(locked, user=by)
            locked.save(update_fields=["status", "decided_by", "decided_at"])
            if withdraw:
                for enrollment in Enrollment.objects.current().filter(person=self.person, course=self.course):
                    enrollment.withdraw()
            self.status, self.decided_by, self.decided_at = locked.status, by, locked.decided_at


# --- calendar ---------------------------------------------------------------------------------


class CalendarFeed(models.Model):
    """The secret address of a learner's .ics feed: calendar apps cannot log in, so the URL itself
    is the credential. Random, not derived from the person; resetting makes a new one."""

    person = models.OneToOneField("people.Person", on_delete=models.CASCADE, related_name="calendar_feed",
                                  verbose_name=_("person"))
    token = models.CharField(_("token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return str(self.person)

    @staticmethod
    def _new_token():
        import secrets

        return secrets.token_urlsafe(24)

    @classmethod
    def for_person(cls, person):
        feed = cls.objects.filter(person=person).first()
        if feed is None:
            try:
                with transaction.atomic():
                    feed = cls.objects.create(person=person, token=cls._new_token())
            except IntegrityError:
                feed = cls.objects.get(person=person)
        return feed

    def reset(self):
        self.token = self._new_token()
        self.save(update_fields=["token", "created_at"])


class SessionReminder(models.Model):
    """That the day-before reminder of a session went to a person: the reminder task skips them
    when it runs again (django-q2 delivers at least once)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "person"], name="one_reminder_per_person_and_session")]
