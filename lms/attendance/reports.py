"""Attendance reports for staff: per session, per course, per organization under the viewer's
root (their streets, for the district), with the attendance rate, late, excused, absent and
online vs. in person; exported as CSV or XLSX. Every figure counts only the records of persons in
the viewer's subtree (lms.people.scoping). The base of the rate is the records: after the closing
sweep every enrolled person has one, so unmarked persons are counted as absent once a session ends."""

import csv
import io
from dataclasses import dataclass, field

from django.db.models import Count, F, Q
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.people.models import Organization
from lms.people.scoping import scope_root, visible_persons

from .models import AttendanceChannel, AttendanceRecord, AttendanceStatus

COUNTS = {
    "total": Count("pk"),
    "present": Count("pk", filter=Q(status=AttendanceStatus.PRESENT)),
    "late": Count("pk", filter=Q(status=AttendanceStatus.LATE)),
    "excused": Count("pk", filter=Q(status=AttendanceStatus.EXCUSED)),
    "absent": Count("pk", filter=Q(status=AttendanceStatus.ABSENT)),
    "online": Count("pk", filter=Q(status__in=[AttendanceStatus.PRESENT, AttendanceStatus.LATE],
                                   channel=AttendanceChannel.LIVE_ONLINE)),
}


@dataclass
class ReportRow:
    label: str
    detail: str = ""
    total: int = 0
    present: int = 0
    late: int = 0
    excused: int = 0
    absent: int = 0
    online: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def attended(self):
        return self.present + self.late

    @property
    def in_person(self):
        return self.attended - self.online

    @property
    def rate(self):
        """Attended / records, in percent (one decimal)."""
        return round(100 * self.attended / self.total, 1) if self.total else None


def can_view_reports(user):
    return user.is_authenticated and (user.is_superuser or scope_root(user) is not None)


def scoped_records(user, course=None, session=None):
    records = AttendanceRecord.objects.filter(person__in=visible_persons(user), session__cancelled=False)
    if course is not None:
        records = records.filter(session__course=course)
    if session is not None:
        records = records.filter(session=session)
    return records


def by_session(records):
    rows = (records.values("session_id", "session__title", "session__starts_at", "session__course__title")
            .annotate(**COUNTS).order_by("session__starts_at", "session_id"))
    return [ReportRow(label=r["session__title"], detail="{} · {}".format(
        timezone.localtime(r["session__starts_at"]).strftime("%Y-%m-%d %H:%M"), r["session__course__title"]),
        **{k: r[k] for k in COUNTS}) for r in rows]


def by_course(records):
    rows = (records.values("session__course_id", "session__course__title").annotate(**COUNTS)
            .order_by("session__course__title"))
    return [ReportRow(label=r["session__course__title"], **{k: r[k] for k in COUNTS}) for r in rows]


def by_organization(records, user):
    """One row per child of the viewer's root organization (the streets, for the district); persons
    attached to the root itself form their own row."""
    root = None if user.is_superuser and scope_root(user) is None else scope_root(user)
    depth = (root.depth + 1) if root is not None else 1
    prefix_len = Organization.steplen * depth
    rows = (records.annotate(branch=Substr(F("person__organization__path"), 1, prefix_len))
            .values("branch").annotate(**COUNTS).order_by("branch"))
    names = dict(Organization.objects.filter(depth=depth, path__in=[r["branch"] for r in rows])
                 .values_list("path", "name"))
    root_name = root.name if root is not None else ""
    return [ReportRow(label=names.get(r["branch"]) or root_name, **{k: r[k] for k in COUNTS}) for r in rows]


def totals(rows):
    total = ReportRow(label=_("Total"))
    for row in rows:
        for key in COUNTS:
            setattr(total, key, getattr(total, key) + getattr(row, key))
    return total


def headers():
    return [_("Item"), _("Details"), _("Records"), _("Present"), _("Late"), _("Excused"), _("Absent"),
            _("Online"), _("In person"), _("Attendance rate")]


def _values(row):
    return [row.label, row.detail, row.total, row.present, row.late, row.excused, row.absent, row.online,
            row.in_person, row.rate if row.rate is not None else ""]


def to_csv(rows):
    """UTF-8 with a BOM, so Excel opens the Chinese correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers())
    for row in [*rows, totals(rows)]:
        writer.writerow(_values(row))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(rows, title):
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title[:31] or "report"
    sheet.append(headers())
    for row in [*rows, totals(rows)]:
        sheet.append(_values(row))
    sheet.column_dimensions["A"].width = 30
    sheet.column_dimensions["B"].width = 30
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
