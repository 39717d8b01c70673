"""Sessions and attendance records: validation, one record per person and session whatever the
channel, protection of sessions with records, and the minute bitmap."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from hypothesis import given
from hypothesis import strategies as st

from lms.attendance import minutes as minute_set
from lms.attendance.models import (
    AttendanceChannel, AttendanceRecord, AttendanceStatus, Session, SessionMode,
)

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 3, 20, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


def at(minutes=0, seconds=0):
    return T0 + datetime.timedelta(minutes=minutes, seconds=seconds)


def valid_session(course, **changes):
    fields = dict(course=course, title="头雁讲坛", starts_at=at(0), ends_at=at(120), mode=SessionMode.HYBRID,
                  stream_url="https://live.example.cn/p/1")
    fields.update(changes)
    return Session(**fields)


# --- session validation ------------------------------------------------------------------------


def test_it_accepts_a_well_formed_session(course):
    valid_session(course).full_clean()


@pytest.mark.parametrize("ends_at", [at(0), at(-5)])
def test_it_refuses_a_session_that_does_not_end_after_it_starts(course, ends_at):
    with pytest.raises(ValidationError) as error:
        valid_session(course, ends_at=ends_at).full_clean()
    assert "ends_at" in error.value.message_dict


def test_it_refuses_a_session_longer_than_a_day(course):
    with pytest.raises(ValidationError) as error:
        valid_session(course, ends_at=at(24 * 60 + 1)).full_clean()
    assert "ends_at" in error.value.message_dict


def test_it_refuses_a_session_outside_the_course_dates(course):
    with pytest.raises(ValidationError) as error:
        valid_session(course, starts_at=at(60 * 24 * 3), ends_at=at(60 * 24 * 3 + 60)).full_clean()
    assert "starts_at" in error.value.message_dict


def test_it_refuses_embedding_a_plain_http_stream(course):
    with pytest.raises(ValidationError) as error:
        valid_session(course, stream_url="http://live.example.cn/p/1", embed_stream=True).full_clean()
    assert "embed_stream" in error.value.message_dict


@pytest.mark.parametrize("share", ["0", "1.01", "-0.5"])
def test_it_refuses_a_present_share_outside_0_to_1(course, share):
    with pytest.raises(ValidationError) as error:
        valid_session(course, present_share=Decimal(share)).full_clean()
    assert "present_share" in error.value.message_dict


def test_it_refuses_a_capacity_of_zero(course):
    with pytest.raises(ValidationError) as error:
        valid_session(course, capacity=0).full_clean()
    assert "capacity" in error.value.message_dict


def test_it_enforces_end_after_start_in_the_database(course):
    with pytest.raises(IntegrityError), transaction.atomic():
        valid_session(course, ends_at=at(-1)).save()


def test_it_refuses_moving_the_start_once_online_minutes_are_recorded(course, secretary):
    session = valid_session(course)
    session.save()
    AttendanceRecord.objects.record_live_presence(secretary, session, now=at(5))
    session.starts_at = at(30)
    with pytest.raises(ValidationError) as error:
        session.full_clean()
    assert "starts_at" in error.value.message_dict
    session.refresh_from_db()
    session.ends_at = at(150)  # extending the end is fine
    session.full_clean()


def test_it_computes_the_scheduled_and_required_minutes(course):
    session = valid_session(course, ends_at=at(95, 30), present_share=Decimal("0.80"))
    assert session.scheduled_minutes == 96
    assert session.required_minutes == 77  # ceil(0.8 × 96 = 76.8)
    assert valid_session(course, ends_at=at(100)).required_minutes == 80
    assert valid_session(course, ends_at=at(100), present_share=Decimal("1")).required_minutes == 100


# --- one record per person and session ----------------------------------------------------------


def test_it_keeps_one_record_per_person_and_session_across_channels(course, secretary, training_office):
    session = valid_session(course)
    session.save()
    online = AttendanceRecord.objects.record_live_presence(secretary, session, now=at(1)).record
    in_hall, changed = AttendanceRecord.objects.record_status(
        secretary, session, status=AttendanceStatus.PRESENT, channel=AttendanceChannel.QR, at=at(3))
    assert changed and in_hall.pk == online.pk
    roll_call, changed = AttendanceRecord.objects.record_status(
        secretary, session, status=AttendanceStatus.LATE, channel=AttendanceChannel.ROLL_CALL,
        by=training_office.user)
    assert roll_call.pk == online.pk
    assert AttendanceRecord.objects.filter(session=session, person=secretary).count() == 1
    record = AttendanceRecord.objects.get()
    assert (record.status, record.channel, record.recorded_by) == ("late", "roll_call", training_office.user)
    assert record.minutes_present == 1  # the online minute is kept whatever the channel


def test_it_refuses_a_second_record_at_the_database_level(course, secretary):
    session = valid_session(course)
    session.save()
    AttendanceRecord.objects.create(session=session, person=secretary, channel=AttendanceChannel.QR)
    with pytest.raises(IntegrityError), transaction.atomic():
        AttendanceRecord.objects.create(session=session, person=secretary, channel=AttendanceChannel.LIVE_ONLINE)


def test_it_changes_nothing_when_the_same_status_comes_again(course, secretary):
    session = valid_session(course)
    session.save()
    first, created = AttendanceRecord.objects.record_status(
        secretary, session, status=AttendanceStatus.PRESENT, channel=AttendanceChannel.QR, at=at(1))
    again, changed = AttendanceRecord.objects.record_status(
        secretary, session, status=AttendanceStatus.PRESENT, channel=AttendanceChannel.QR, at=at(9))
    assert created and not changed
    assert again.first_seen_at == at(1)


def test_it_offers_every_channel_the_in_person_issue_needs():
    assert {c.value for c in AttendanceChannel} == {
        "live_online", "qr", "roll_call", "walk_in", "leave", "import", "session_close"}
    assert {s.value for s in AttendanceStatus} == {"present", "late", "excused", "absent"}


# --- protection -------------------------------------------------------------------------------


def test_it_protects_a_session_with_records_from_deletion(course, secretary):
    session = valid_session(course)
    session.save()
    AttendanceRecord.objects.record_live_presence(secretary, session, now=at(1))
    assert session.has_records()
    with pytest.raises(ProtectedError):
        session.delete()
    assert Session.objects.filter(pk=session.pk).exists()


def test_it_deletes_a_session_without_records(course):
    session = valid_session(course)
    session.save()
    session.delete()
    assert not Session.objects.exists()


def test_it_protects_the_course_of_a_session(course):
    valid_session(course).save()
    with pytest.raises(ProtectedError):
        course.delete()


# --- the minute bitmap --------------------------------------------------------------------------


def test_it_stores_a_full_day_in_sixty_bytes():
    bitmap = minute_set.mark(b"", 0, 479, 480)
    assert len(bitmap) == 60
    assert minute_set.count(bitmap, 480) == 480


def test_it_clips_marks_to_the_session():
    bitmap = minute_set.mark(b"", -10, 5, 10)
    bitmap = minute_set.mark(bitmap, 8, 50, 10)
    assert minute_set.indexes(bitmap, 10) == [0, 1, 2, 3, 4, 5, 8, 9]


def test_it_ignores_minutes_beyond_a_shortened_session():
    bitmap = minute_set.mark(b"", 0, 99, 100)
    assert minute_set.count(bitmap, 60) == 60


@given(size=st.integers(1, 1440),
       spans=st.lists(st.tuples(st.integers(-50, 1500), st.integers(-50, 1500)), max_size=20))
def test_it_counts_the_union_of_marked_minutes(size, spans):
    bitmap, expected = b"", set()
    for first, last in spans:
        bitmap = minute_set.mark(bitmap, first, last, size)
        expected |= {i for i in range(max(first, 0), min(last, size - 1) + 1)}
    assert minute_set.count(bitmap, size) == len(expected)
    assert minute_set.indexes(bitmap, size) == sorted(expected)
    assert len(bitmap) <= (size + 7) // 8 or not spans
