"""Enrolling many persons at once: a course's audience, a staff member's selection (organization
subtree, organization type, cadre category, newly appointed) and uploaded lists of numbers.

Rules (the admin screen says the same to staff):
- A course's audience is every *active* person who matches each non-empty audience filter of the
  course (organization types, cadre categories, streets = everything under the street). It is one
  SQL query, whatever the number of persons.
- Enrolling is idempotent: persons currently enrolled are skipped. A withdrawn person who is
  enrolled again gets a new Enrollment row, so the withdrawn one stays as history.
- Automatic enrolment by audience rules never re-enrols someone who was withdrawn from the course:
  withdrawing is the training office's decision, and the rules would otherwise undo it at the next
  publish or roster import. Staff enrolment (audience button, filter, upload) does re-enrol them.
- Nobody is withdrawn automatically when they leave a course's audience (moved, re-categorised,
  deactivated): what they did in the course stays theirs; staff withdraw explicitly.
- Staff act within their scope (lms.people.scoping.visible_persons): persons outside it are counted
  as refused, never enrolled; in an upload they are row errors.
"""

import datetime
import hashlib
from dataclasses import asdict, dataclass, field
from functools import reduce
from operator import or_

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from courses.models import CoursePage, EnrolmentMode
from lms.people import roster
from lms.people.models import NEWLY_APPOINTED_DAYS, Organization, Person
from lms.people.roster import RosterFileError, RowError
from lms.people.scoping import visible_persons

from .models import Enrollment, EnrollmentSource

INSERT_BATCH = 1000
ID_CHUNK = 2000


# --- who ------------------------------------------------------------------------------------------


def audience_persons(course):
    """The active persons in the course's audience: every non-empty filter must match."""
    persons = Person.objects.active()
    if course.audience_org_types:
        persons = persons.filter(organization__org_type__in=course.audience_org_types)
    if course.audience_categories:
        persons = persons.filter(cadre_category__in=course.audience_categories)
    street_paths = [street.path for street in course.audience_streets.all()]
    if street_paths:
        persons = persons.filter(reduce(or_, (Q(organization__path__startswith=path) for path in street_paths)))
    return persons


def newly_appointed_q(today=None):
    """Appointed within the last NEWLY_APPOINTED_DAYS (Person.is_newly_appointed, in SQL)."""
    today = today or timezone.localdate()
    return Q(appointed_on__gte=today - datetime.timedelta(days=NEWLY_APPOINTED_DAYS), appointed_on__lte=today)


def open_audience_courses(today=None):
    """Published courses in AUDIENCE mode that have not ended: where newcomers are enrolled."""
    today = today or timezone.localdate()
    return CoursePage.objects.live().filter(enrolment_mode=EnrolmentMode.AUDIENCE, ends_on__gte=today)


@dataclass
class Selection:
    """A staff member's choice of persons: the course's audience, or everyone under an organization
    (their whole scope when none is given) narrowed by organization type, cadre category and
    "newly appointed". Plain data, so a background task can receive it."""

    audience: bool = False
    organization_id: int | None = None
    org_types: list = field(default_factory=list)
    categories: list = field(default_factory=list)
    newly_appointed: bool = False

    def persons(self, course):
        if self.audience:
            return audience_persons(course)
        persons = Person.objects.all()
        if self.organization_id:
            path = Organization.objects.filter(pk=self.organization_id).values_list("path", flat=True).first()
            if path is None:  # deleted since it was chosen
                return Person.objects.none()
            persons = persons.filter(organization__path__startswith=path)
        if self.org_types:
            persons = persons.filter(organization__org_type__in=self.org_types)
        if self.categories:
            persons = persons.filter(cadre_category__in=self.categories)
        if self.newly_appointed:
            persons = persons.filter(newly_appointed_q())
        return persons

    def as_dict(self):
        return asdict(self)

    @classmethod
    def from_dict(cls, data):
        return cls(**data)


# --- enrol ----------------------------------------------------------------------------------------


@dataclass
class EnrolmentCounts:
    """What a bulk enrolment did, person by person, for the message staff read afterwards."""

    enrolled: int = 0  # new current enrolments (including re-enrolled)
    reenrolled: int = 0  # of those: withdrawn before, enrolled again (a new row)
    already_enrolled: int = 0
    withdrawn_skipped: int = 0  # withdrawn before; automatic enrolment leaves them out
    out_of_scope: int = 0  # outside the viewer's organization subtree: refused
    inactive: int = 0

    def as_dict(self):
        return asdict(self)

    def __add__(self, other):
        return EnrolmentCounts(**{key: value + getattr(other, key) for key, value in asdict(self).items()})

    def message(self):
        """One sentence in the user's language, naming only what happened."""
        parts = [ngettext("%(n)s person enrolled", "%(n)s persons enrolled", self.enrolled) % {"n": self.enrolled}]
        if self.reenrolled:
            parts.append(_("of whom %(n)s had been withdrawn before") % {"n": self.reenrolled})
        if self.already_enrolled:
            parts.append(_("%(n)s already enrolled") % {"n": self.already_enrolled})
        if self.withdrawn_skipped:
            parts.append(_("%(n)s withdrawn earlier and not enrolled again") % {"n": self.withdrawn_skipped})
        if self.out_of_scope:
            parts.append(_("%(n)s outside your scope, refused") % {"n": self.out_of_scope})
        if self.inactive:
            parts.append(_("%(n)s inactive, not enrolled") % {"n": self.inactive})
        return pgettext("list separator", "; ").join(parts) + pgettext("sentence end", ".")


def scoped(persons, viewer):
    """`persons` limited to what `viewer` may see; None means the system itself (no limit)."""
    if viewer is None:
        return persons
    return persons & visible_persons(viewer)


def enrol_persons(course, persons, *, source, by=None, viewer=None, rejoin_withdrawn=True):
    """Enrol every person of the queryset `persons` in `course`, in bulk; returns EnrolmentCounts.

    Those currently enrolled are skipped; inactive ones and (with `viewer`) those outside the
    viewer's scope are counted, not enrolled; those withdrawn before get a new row, or with
    `rejoin_withdrawn=False` (automatic enrolment) are left out. Safe to run again and alongside
    other enrolments: the one-current-enrolment constraint decides, conflicts are skipped."""
    persons = persons.order_by()
    counts = EnrolmentCounts()
    in_scope = scoped(persons, viewer)
    if viewer is not None:
        counts.out_of_scope = persons.count() - in_scope.count()
    active = in_scope.filter(is_active=True)
    counts.inactive = in_scope.filter(is_active=False).count()

    enrolments = Enrollment.objects.filter(course=course)
    current = enrolments.filter(withdrawn_at__isnull=True).values("person_id")
    withdrawn = enrolments.filter(withdrawn_at__isnull=False).values("person_id")
    counts.already_enrolled = active.filter(pk__in=current).count()
    todo = active.exclude(pk__in=current)
    if rejoin_withdrawn:
        rejoining = set(todo.filter(pk__in=withdrawn).values_list("pk", flat=True))
    else:
        counts.withdrawn_skipped = todo.filter(pk__in=withdrawn).count()
        todo = todo.exclude(pk__in=withdrawn)
        rejoining = set()
    person_ids = list(todo.values_list("pk", flat=True))
    created = _insert(course, person_ids, source, by)
    counts.enrolled = created
    counts.already_enrolled += len(person_ids) - created  # enrolled concurrently meanwhile
    counts.reenrolled = min(len(rejoining), created)
    return counts


def _insert(course, person_ids, source, by):
    """Create current enrolments for these persons; returns how many were created. Rows that
    would break the one-current-enrolment constraint (a concurrent enrolment) are skipped by the
    database (INSERT ... ON CONFLICT DO NOTHING / INSERT OR IGNORE)."""
    if not person_ids:
        return 0
    now = timezone.now()
    current = Enrollment.objects.current().filter(course=course)
    with transaction.atomic():
        before = current.count()
        for start in range(0, len(person_ids), INSERT_BATCH):
            Enrollment.objects.bulk_create(
                [Enrollment(person_id=pk, course=course, source=source, enrolled_by=by, enrolled_at=now)
                 for pk in person_ids[start:start + INSERT_BATCH]],
                ignore_conflicts=True)
        return current.count() - before


def enrol_selection(course, selection, *, by, viewer, source=None):
    """Staff enrolment of a Selection (the audience button or the filter form)."""
    if source is None:
        source = EnrollmentSource.AUDIENCE if selection.audience else EnrollmentSource.BULK
    return enrol_persons(course, selection.persons(course), source=source, by=by, viewer=viewer)


def enrol_audience(course):
    """Automatic enrolment (AUDIENCE mode): the whole audience, leaving out withdrawn persons."""
    return enrol_persons(course, audience_persons(course), source=EnrollmentSource.AUDIENCE,
                         rejoin_withdrawn=False)


def enrol_by_audience_rules(person_ids, today=None):
    """Enrol these persons into every open AUDIENCE-mode course whose audience includes them
    (after a person is created, moved or re-categorised). Returns the total EnrolmentCounts."""
    person_ids = list(person_ids)
    total = EnrolmentCounts()
    for course in open_audience_courses(today):
        for start in range(0, len(person_ids), ID_CHUNK):
            chunk = person_ids[start:start + ID_CHUNK]
            total += enrol_persons(course, audience_persons(course).filter(pk__in=chunk),
                                   source=EnrollmentSource.AUDIENCE, rejoin_withdrawn=False)
    return total


def enrol_person_by_audience_rules(person, today=None):
    """One person (a save in the admin): checks each open course in Python first, so a person
    outside every audience costs one query per course. Returns the courses they were enrolled in."""
    if not person.is_active:
        return []
    enrolled = []
    for course in open_audience_courses(today):
        if course.audience_includes(person):
            counts = enrol_persons(course, Person.objects.filter(pk=person.pk), source=EnrollmentSource.AUDIENCE,
                                   rejoin_withdrawn=False)
            if counts.enrolled:
                enrolled.append(course)
    return enrolled


def should_auto_enrol(person, course, today=None):
    """Whether opening this course's page should enrol the person now (AUDIENCE mode, in the
    audience, course not ended, never enrolled): the page then shows them enrolled even before
    the background task has reached them."""
    today = today or timezone.localdate()
    return (course.live and course.enrolment_mode == EnrolmentMode.AUDIENCE and course.ends_on >= today
            and person.is_active and not Enrollment.objects.filter(person=person, course=course).exists()
            and course.audience_includes(person))


def withdraw(course, enrollment_ids, viewer):
    """Withdraw these current enrolments of the course, only those of persons the viewer may see.
    The rows stay (withdrawn_at is set): the history of who was in the course is kept."""
    enrolments = (Enrollment.objects.current().filter(course=course, pk__in=enrollment_ids)
                  .filter(person__in=visible_persons(viewer)))
    count = 0
    with transaction.atomic():
        for enrollment in enrolments.select_for_update():
            enrollment.withdraw()
            count += 1
    return count


# --- upload: a list of mobile or staff numbers --------------------------------------------------

UPLOAD_FIELDS = ("phone", "staff_number", "name")
UPLOAD_COLUMNS = {key: roster.COLUMNS[key] for key in UPLOAD_FIELDS}
UPLOAD_HEADERS = [UPLOAD_COLUMNS[key][0] for key in UPLOAD_FIELDS]


def read_upload(data, filename):
    """The uploaded file's rows (roster.read_table: XLSX, or CSV in UTF-8/BOM/GBK). Raises
    RosterFileError when the file cannot be read or has neither a 手机号 nor a 工号 column."""
    parsed = roster.read_table(data, filename, UPLOAD_COLUMNS)
    if "phone" not in parsed.headers and "staff_number" not in parsed.headers:
        raise RosterFileError(_("The file needs a column %(phone)s or %(staff)s (the first row holds the headers).")
                              % {"phone": UPLOAD_COLUMNS["phone"][0], "staff": UPLOAD_COLUMNS["staff_number"][0]})
    return parsed


@dataclass
class UploadLine:
    row: int
    person: Person
    action: str  # enrol | reenrol | already


@dataclass
class UploadCheck:
    lines: list
    errors: list

    def count(self, action):
        return sum(1 for line in self.lines if line.action == action)

    @property
    def counts(self):
        return {action: self.count(action) for action in ("enrol", "reenrol", "already")}

    @property
    def person_ids(self):
        return [line.person.pk for line in self.lines if line.action != "already"]

    def fingerprint(self):
        """What applying would enrol: the confirm step refuses a different list than the preview."""
        text = repr(sorted((line.row, line.person.pk, line.action) for line in self.lines))
        return hashlib.sha256(text.encode()).hexdigest()


def check_upload(parsed, course, viewer):
    """Every row checked against the database, nothing written: unknown persons, persons outside
    the viewer's scope, inactive persons, the same person twice, empty rows and names that do not
    match the number are row errors (row number, column, reason)."""
    errors, found = [], []

    def error(row, key, message):
        errors.append(RowError(row, UPLOAD_COLUMNS[key][0], message))

    entries = []
    for number, raw in parsed.rows:
        phone = roster.normalize_phone(raw.get("phone"))
        staff = roster.cell_text(raw.get("staff_number"))
        name = roster.cell_text(raw.get("name"))
        if not phone and not staff:
            error(number, "phone" if "phone" in parsed.headers else "staff_number",
                  _("Neither a mobile number nor a staff number is given."))
            continue
        if phone and not roster.PHONE_RE.match(phone):
            error(number, "phone", _("“%(phone)s” is not an 11-digit mobile number starting with 1.") % {"phone": phone})
            continue
        entries.append((number, phone, staff, name))

    by_phone = {p.phone: p for p in roster._chunked(Person.objects.select_related("organization"), "phone",
                                                        {e[1] for e in entries if e[1]})}
    by_staff = {p.staff_number: p for p in roster._chunked(Person.objects.select_related("organization"),
                                                           "staff_number", {e[2] for e in entries if e[2]})}
    candidates = {p.pk for p in [*by_phone.values(), *by_staff.values()]}
    visible = set()
    for start in range(0, len(candidates), ID_CHUNK):
        chunk = list(candidates)[start:start + ID_CHUNK]
        visible.update(scoped(Person.objects.filter(pk__in=chunk), viewer).values_list("pk", flat=True))
    current = set(Enrollment.objects.current().filter(course=course).filter(person_id__in=visible)
                  .values_list("person_id", flat=True))
    withdrawn = set(Enrollment.objects.filter(course=course, withdrawn_at__isnull=False, person_id__in=visible)
                    .values_list("person_id", flat=True))

    first_row = {}
    for number, phone, staff, name in entries:
        person_by_phone = by_phone.get(phone) if phone else None
        person_by_staff = by_staff.get(staff) if staff else None
        if phone and person_by_phone is None:
            error(number, "phone", _("No one has the mobile number %(phone)s.") % {"phone": phone})
            continue
        if staff and person_by_staff is None:
            error(number, "staff_number", _("No one has the staff number %(staff)s.") % {"staff": staff})
            continue
        if person_by_phone and person_by_staff and person_by_phone.pk != person_by_staff.pk:
            error(number, "staff_number", _("The mobile number and the staff number belong to two different persons."))
            continue
        person = person_by_phone or person_by_staff
        key = "phone" if phone else "staff_number"
        if person.pk not in visible:
            error(number, key, _("This person belongs to an organization outside your scope."))
            continue
        if name and name != person.name:
            error(number, "name", _("The name “%(given)s” does not match this person (%(name)s).")
                  % {"given": name, "name": person.name})
            continue
        if not person.is_active:
            error(number, key, _("%(name)s is inactive and cannot be enrolled.") % {"name": person.name})
            continue
        if person.pk in first_row:
            error(number, key, _("This row and row %(first)s are the same person.") % {"first": first_row[person.pk]})
            continue
        first_row[person.pk] = number
        action = "already" if person.pk in current else "reenrol" if person.pk in withdrawn else "enrol"
        found.append(UploadLine(number, person, action))
    errors.sort(key=lambda e: e.row)
    return UploadCheck(lines=found, errors=errors)


class UploadConflict(Exception):
    """The database changed between the preview and the confirm."""


def apply_upload(data, filename, course, viewer, *, expected_fingerprint=None):
    """Check the file again and enrol its persons, all in one transaction: all or none. Returns
    (UploadCheck, EnrolmentCounts or None when there are row errors)."""
    parsed = read_upload(data, filename)
    with transaction.atomic():
        check = check_upload(parsed, course, viewer)
        if check.errors:
            return check, None
        if expected_fingerprint is not None and check.fingerprint() != expected_fingerprint:
            raise UploadConflict(_("The enrolments changed since the preview. Nothing was enrolled; "
                                   "please check the new preview."))
        counts = enrol_persons(course, Person.objects.filter(pk__in=check.person_ids), source=EnrollmentSource.IMPORT,
                               by=viewer, viewer=viewer)
    return check, counts


def upload_template():
    """An empty enrolment list with its headers and one example row, as XLSX bytes."""
    import io

    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "报名名单"
    sheet.append(UPLOAD_HEADERS)
    sheet.append(["13800000000", "", "张三"])
    for letter, width in zip("ABC", (14, 12, 10)):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- who may enrol -----------------------------------------------------------------------------


def can_manage_enrolment(user):
    """The training office and street admins (an active person with a scope and the enrolment
    permission), and superusers. HR, trainers and learners may not."""
    from lms.people.scoping import scope_root

    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return user.has_perm("learning.change_enrollment") and scope_root(user) is not None
