"""lms.rowsql: the hand-built INSERTs of the QR scan write what the ORM and simple-history would,
on SQLite (two INSERTs in a transaction) and on PostgreSQL (one statement)."""

import pytest
from django.db import IntegrityError

from lms.attendance.models import AttendanceChannel, AttendanceRecord, AttendanceStatus
from lms.rowsql import history_model, insert_with_history_if_absent

pytestmark = pytest.mark.django_db

COMPARED = ("channel", "status", "first_seen_at", "last_seen_at", "minutes_present", "recorded_by_id",
            "session_id", "history_type", "history_user_id", "history_change_reason")


def _row(record):
    historical = history_model(AttendanceRecord).objects.get(id=record.pk)
    return {name: getattr(historical, name) for name in COMPARED}, historical


def test_the_record_and_its_history_row_match_the_orm_and_simple_history(enrolled, secretary, other_secretary,
                                                                         session, course, superuser):
    from lms.learning.models import Enrollment, EnrollmentSource

    Enrollment.enrol(other_secretary, course, EnrollmentSource.BULK)
    when = session.starts_at
    fields = dict(channel=AttendanceChannel.QR, status=AttendanceStatus.PRESENT, recorded_by=superuser,
                  first_seen_at=when, last_seen_at=when)
    by_orm = AttendanceRecord(person=other_secretary, session=session, **fields)
    by_orm._history_user, by_orm._change_reason = superuser, "QR check-in"
    by_orm.save()
    by_hand = AttendanceRecord(person=enrolled, session=session, **fields)
    assert insert_with_history_if_absent(by_hand, conflict_fields=("session", "person"), user=superuser,
                                         reason="QR check-in")

    stored = AttendanceRecord.objects.get(pk=by_hand.pk)
    for name in ("channel", "status", "first_seen_at", "last_seen_at", "recorded_by_id", "minutes_present",
                 "presence_minutes", "learning_reported"):
        assert getattr(stored, name) == getattr(AttendanceRecord.objects.get(pk=by_orm.pk), name), name
    assert stored.created_at is not None and stored.updated_at is not None
    orm_row, _ = _row(by_orm)
    hand_row, historical = _row(by_hand)
    assert hand_row == orm_row
    assert historical.person_id == enrolled.pk and historical.history_date is not None


def test_a_second_insert_of_the_same_key_inserts_nothing_and_writes_no_history(enrolled, session):
    first = AttendanceRecord(person=enrolled, session=session, channel=AttendanceChannel.QR)
    second = AttendanceRecord(person=enrolled, session=session, channel=AttendanceChannel.ROLL_CALL)
    assert insert_with_history_if_absent(first, conflict_fields=("session", "person"), user=None)
    assert not insert_with_history_if_absent(second, conflict_fields=("session", "person"), user=None)
    assert second.pk is None and second._state.adding
    assert list(AttendanceRecord.objects.values_list("channel", flat=True)) == [AttendanceChannel.QR]
    assert list(history_model(AttendanceRecord).objects.values_list("id", "channel")) == [
        (first.pk, AttendanceChannel.QR)]


def test_the_history_row_names_the_request_user_unless_told(enrolled, other_secretary, session, course,
                                                            superuser, rf):
    from simple_history.models import HistoricalRecords

    from lms.learning.models import Enrollment, EnrollmentSource

    Enrollment.enrol(other_secretary, course, EnrollmentSource.BULK)
    request = rf.get("/")
    request.user = superuser
    HistoricalRecords.context.request = request
    try:
        by_request = AttendanceRecord(person=enrolled, session=session, channel=AttendanceChannel.QR)
        insert_with_history_if_absent(by_request, conflict_fields=("session", "person"))
        by_system = AttendanceRecord(person=other_secretary, session=session, channel=AttendanceChannel.QR)
        insert_with_history_if_absent(by_system, conflict_fields=("session", "person"), user=None)
    finally:
        del HistoricalRecords.context.request
    assert _row(by_request)[1].history_user_id == superuser.pk
    assert _row(by_system)[1].history_user_id is None  # the system's change


@pytest.mark.django_db(transaction=True)
def test_a_history_row_that_cannot_be_written_leaves_no_record(enrolled, session, django_user_model):
    """The two rows are one transaction: a history author that does not exist (a foreign key
    checked at commit) fails the whole insert."""
    ghost = django_user_model(pk=987654, username="ghost")  # never saved
    record = AttendanceRecord(person=enrolled, session=session, channel=AttendanceChannel.QR)
    with pytest.raises(IntegrityError):
        insert_with_history_if_absent(record, conflict_fields=("session", "person"), user=ghost)
    assert not AttendanceRecord.objects.exists()
    assert not history_model(AttendanceRecord).objects.exists()


def test_a_fetched_row_holds_what_the_orm_reads(session):
    """fetch_instance converts values as the ORM does (SQLite returns dates as text and booleans
    as integers), sets the extra columns, and leaves the other fields deferred."""
    from django.db import connection

    from lms.attendance.models import Session
    from lms.rowsql import fetch_instance

    Session.objects.filter(pk=session.pk).update(cancelled=True)
    fields = [Session._meta.get_field(name) for name in ("id", "starts_at", "cancelled")]
    sql = (f"SELECT id, starts_at, cancelled, %s FROM {Session._meta.db_table} WHERE id = %s")
    fetched = fetch_instance(Session, fields, sql, [7, session.pk], extra=("seven",))
    by_orm = Session.objects.get(pk=session.pk)
    assert (fetched.pk, fetched.starts_at, fetched.cancelled, fetched.seven) == (by_orm.pk, by_orm.starts_at, True, 7)
    assert fetched.starts_at.tzinfo is not None and fetched.cancelled is True
    assert fetched.get_deferred_fields() >= {"title", "ends_at"} and not fetched._state.adding
    assert fetched._state.db == connection.alias
    assert fetch_instance(Session, fields, sql, [7, session.pk + 1000]) is None
