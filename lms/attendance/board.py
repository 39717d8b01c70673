"""The roster of a session as staff see it (display page, roll call, sign-in sheet, import): each
person of the session's roster within the viewer's scope, with their record, in a stable order
(organization, then name)."""

from dataclasses import dataclass

from lms.people.scoping import visible_persons

from .models import ATTENDED_STATUSES, AttendanceRecord, AttendanceStatus


@dataclass
class Row:
    person: object
    record: AttendanceRecord | None

    @property
    def status(self):
        return self.record.status if self.record else None

    @property
    def checked_in(self) -> bool:
        return bool(self.record and self.record.status in ATTENDED_STATUSES)


def scoped_roster(session, user):
    return (session.roster().filter(pk__in=visible_persons(user).values("pk"))
            .select_related("organization").order_by("organization__path", "name", "pk"))


def rows(session, user):
    persons = list(scoped_roster(session, user))
    records = {r.person_id: r for r in AttendanceRecord.objects.filter(
        session=session, person_id__in=[p.pk for p in persons])}
    return [Row(p, records.get(p.pk)) for p in persons]


def counts(rows_):
    """Counts by status over rows, plus expected (all rows) and unmarked."""
    result = {s.value: 0 for s in AttendanceStatus}
    unmarked = 0
    for row in rows_:
        if row.record is None:
            unmarked += 1
        else:
            result[row.record.status] += 1
    result.update(expected=len(rows_), unmarked=unmarked,
                  checked_in=result[AttendanceStatus.PRESENT] + result[AttendanceStatus.LATE])
    return result
