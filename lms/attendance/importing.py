"""Attendance import: a filled sign-in sheet typed up, or any CSV/XLSX with a mobile number and an
attendance status per row, for one session.

    parse(data, filename)            -> raw rows (lms.people.roster.read_table: UTF-8, BOM, GBK, XLSX)
    validate(parsed, session, user)  -> (clean rows, row errors): every row checked, nothing written
    plan(clean rows, session)        -> changes: create / update / unchanged per row
    apply(...)                       -> all changes in one transaction, channel "import"

Persons are matched by mobile number within the uploader's scope; a name, when given, must match.
Everyone must be on the session's roster (enrolled, or already with a record): walk-ins are
admitted at roll call. A person may appear once per file."""

import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from lms.people.roster import PHONE_RE, RosterFileError, RowError, normalize_phone, cell_text, read_table
from lms.people.scoping import visible_persons

from .models import AttendanceChannel, AttendanceRecord, AttendanceStatus

ImportFileError = RosterFileError

COLUMNS = {
    "name": ("姓名", ["名字"]),
    "phone": ("手机号", ["手机号码", "手机", "联系电话", "电话"]),
    "status": ("考勤", ["考勤状态", "状态", "出勤情况", "出勤", "签到", "签到情况"]),
}
REQUIRED = ("phone", "status")

STATUS_WORDS = {
    AttendanceStatus.PRESENT: {"出勤", "到", "已到", "实到", "签到", "已签到", "参加", "是", "√", "✓", "✔", "y", "yes",
                               "1", "present"},
    AttendanceStatus.LATE: {"迟到", "late"},
    AttendanceStatus.EXCUSED: {"请假", "事假", "病假", "公假", "准假", "excused", "leave"},
    AttendanceStatus.ABSENT: {"缺勤", "缺席", "未到", "旷课", "否", "×", "✗", "n", "no", "0", "absent"},
}
_STATUS_LOOKUP = {word: status for status, words in STATUS_WORDS.items() for word in words}


def column_label(key):
    return COLUMNS[key][0]


@dataclass
class CleanRow:
    number: int
    person: object
    status: str


@dataclass
class Change:
    row: int
    person: object
    old_status: str | None
    new_status: str

    @property
    def action(self):
        if self.old_status is None:
            return "create"
        return "unchanged" if self.old_status == self.new_status else "update"

    @property
    def old_label(self):
        return AttendanceStatus(self.old_status).label if self.old_status else "—"

    @property
    def new_label(self):
        return AttendanceStatus(self.new_status).label


def parse(data, filename):
    return read_table(data, filename, COLUMNS, REQUIRED)


def validate(parsed, session, user):
    """Check every row; returns (clean rows, errors). Nothing is written."""
    errors, clean = [], []

    def error(number, key, message):
        errors.append(RowError(number, column_label(key) if key else "", message))

    phones = {}
    for number, raw in parsed.rows:
        phone = normalize_phone(raw.get("phone"))
        if not phone:
            error(number, "phone", _("The mobile number is missing."))
        elif not PHONE_RE.match(phone):
            error(number, "phone", _("“%(value)s” is not an 11-digit mobile number.") % {"value": phone})
        elif phone in phones:
            error(number, "phone", _("This person is already on row %(row)s.") % {"row": phones[phone]})
        else:
            phones[phone] = number
        word = cell_text(raw.get("status")).lower()
        if not word:
            error(number, "status", _("The attendance status is missing."))
        elif word not in _STATUS_LOOKUP:
            error(number, "status", _("“%(value)s” is not an attendance status (出勤, 迟到, 请假 or 缺勤).")
                  % {"value": cell_text(raw.get("status"))})

    persons = {p.phone: p for p in visible_persons(user).filter(phone__in=list(phones))}
    on_roster = set(session.roster().filter(pk__in=[p.pk for p in persons.values()]).values_list("pk", flat=True))
    for number, raw in parsed.rows:
        phone = normalize_phone(raw.get("phone"))
        if phones.get(phone) != number:
            continue
        person = persons.get(phone)
        name = cell_text(raw.get("name"))
        if person is None:
            error(number, "phone", _("No person with this mobile number in your scope."))
            continue
        if name and name != person.name:
            error(number, "name", _("The name does not match the mobile number (the roster says %(name)s).")
                  % {"name": person.name})
            continue
        if person.pk not in on_roster:
            error(number, "phone", _("%(name)s is not enrolled in this course; admit walk-ins at roll call.")
                  % {"name": person.name})
            continue
        status = _STATUS_LOOKUP.get(cell_text(raw.get("status")).lower())
        if status:
            clean.append(CleanRow(number, person, status))
    errors.sort(key=lambda e: (e.row, e.column))
    return clean, errors


def plan(clean_rows, session):
    current = dict(AttendanceRecord.objects.filter(session=session, person__in=[r.person for r in clean_rows])
                   .values_list("person_id", "status"))
    return [Change(r.number, r.person, current.get(r.person.pk), r.status) for r in clean_rows]


def fingerprint(changes):
    text = repr([(c.row, c.person.pk, c.old_status, c.new_status) for c in changes])
    return hashlib.sha256(text.encode()).hexdigest()


class ImportConflict(Exception):
    """The records changed between the preview and the confirm."""


@dataclass
class ImportResult:
    changes: list
    errors: list
    applied: bool = False

    def count(self, action):
        return sum(1 for c in self.changes if c.action == action)

    @property
    def counts(self):
        return {action: self.count(action) for action in ("create", "update", "unchanged")}


def run_import(data, filename, session, user, *, dry_run=True, expected_fingerprint=None):
    """Parse, validate, plan and (unless dry_run) apply in one transaction. Raises ImportFileError
    for an unreadable file and ImportConflict when the plan differs from the previewed one."""
    parsed = parse(data, filename)
    clean, errors = validate(parsed, session, user)
    if errors or dry_run:
        return ImportResult(plan(clean, session) if not errors else [], errors)
    with transaction.atomic():
        changes = plan(clean, session)
        if expected_fingerprint is not None and fingerprint(changes) != expected_fingerprint:
            raise ImportConflict
        for change in changes:
            if change.action != "unchanged":
                AttendanceRecord.objects.record_status(change.person, session, status=change.new_status,
                                                       channel=AttendanceChannel.IMPORT, by=user,
                                                       at=session.starts_at)
    return ImportResult(changes, [], applied=True)
