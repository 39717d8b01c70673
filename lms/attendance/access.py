"""Who may open a session's page and be counted there. Used by every attendance view."""

import functools

from wagtail.models import Page

from lms.learning.models import Enrollment
from lms.people.models import Person
from lms.rowsql import fetch_instance


def person_for_session(user, session, *, only=None):
    """The user's Person (None if the account has none), with `attending` set: active and holding a
    current enrolment in the session's course, which is published. `only`: the Person fields to
    load (the rest are deferred), for callers that need no more, such as the QR scan.

    One query, written out in SQL (lms.rowsql.fetch_instance): every QR scan and presence
    heartbeat asks this, and compiling the ORM version (an Exists through the course page to
    Wagtail's page table) cost about as much CPU as the whole no-op request. The conditions are
    Enrollment.objects.current() (not withdrawn) and Page.live; tests/attendance cover each."""
    if not user.is_authenticated:
        return None
    fields, sql = _person_query(None if only is None else tuple(only))
    person = fetch_instance(Person, fields, sql, [session.course_id, user.pk], extra=("enrolled",))
    if person is not None:
        person.attending = bool(person.is_active and person.enrolled)
    return person


@functools.cache
def _person_query(only):
    """person_for_session's Person fields and SQL for `only` (None: every field), built once."""
    wanted = None if only is None else {"id", "is_active", *only}
    fields = [field for field in Person._meta.concrete_fields if wanted is None or field.attname in wanted]
    sql = (f"SELECT {', '.join(f'p.{field.column}' for field in fields)}, EXISTS (SELECT 1 "
           f"FROM {Enrollment._meta.db_table} e JOIN {Page._meta.db_table} c ON c.id = e.course_id "
           f"WHERE e.person_id = p.id AND e.course_id = %s AND e.withdrawn_at IS NULL AND c.live) "
           f"FROM {Person._meta.db_table} p WHERE p.user_id = %s")
    return fields, sql


def attending_person(user, session):
    """The user's Person if they are active and hold a current enrolment in the session's course
    while it is published (nobody is counted in an unpublished course), else None."""
    person = person_for_session(user, session)
    return person if person is not None and person.attending else None


def can_manage_sessions(user) -> bool:
    """Staff who schedule sessions (the training office) may look at any session's page."""
    return user.is_authenticated and (user.is_superuser or user.has_perm("attendance.change_session"))
