"""Leave (请假): the learner asks with a reason and may withdraw a pending request; the training
office approves (excused, channel leave, attributed) or rejects; and in full-time classes
approving past 1/7 of the course's days warns first, then flags the enrolment for withdrawal,
which the office confirms (Enrollment.withdraw) or dismisses. Staff see only their subtree."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from lms.attendance.models import (AttendanceRecord, LeaveBalance, LeaveRequest, LeaveStatus, WithdrawalFlag,
                                   WithdrawalStatus)
from lms.learning.models import Enrollment
from lms.people import roles

from .conftest import T0, at

pytestmark = pytest.mark.django_db

LEAVE_URL = "attendance_leave_requests"


@pytest.fixture
def full_time(make_course, make_session, org_tree, enrolled):
    """A 7-day full-time class: seven one-day sessions (credit_days 1), the learner enrolled."""
    from lms.learning.models import EnrollmentSource

    course = make_course("2026年社区书记示范班", slug="class-2026", starts_on=T0.date(),
                         ends_on=T0.date() + datetime.timedelta(days=10))
    Enrollment.enrol(enrolled, course, EnrollmentSource.BULK)
    sessions = [make_session(course=course, title=f"第{i + 1}天", starts_at=T0 + datetime.timedelta(days=i),
                             minutes=480, credit_days=Decimal("1")) for i in range(7)]
    return course, sessions


def ask(person, session, reason="家中有事"):
    return LeaveRequest.request(person, session, reason, now=at(-60 * 24))


# --- the learner ----------------------------------------------------------------------------------


def test_a_learner_requests_leave_on_the_session_page(clock, session, enrolled, client_for):
    clock.set(at(-120))
    client = client_for(enrolled)
    with translation.override("zh-hans"):
        page = client.get(reverse("session-detail", args=[session.pk])).content.decode()
        assert "申请请假" in page
        response = client.post(reverse("session-leave", args=[session.pk]), {"reason": "参加街道防汛值班"}, follow=True)
    assert "您的请假申请已提交培训科" in response.content.decode()
    leave = LeaveRequest.objects.get()
    assert (leave.person, leave.status, leave.reason) == (enrolled, "pending", "参加街道防汛值班")
    assert not AttendanceRecord.objects.exists()  # nothing changes until approved


def test_it_refuses_an_empty_reason_a_second_request_and_an_ended_session(clock, session, enrolled, client_for):
    clock.set(at(-120))
    client = client_for(enrolled)
    with translation.override("zh-hans"):
        response = client.post(reverse("session-leave", args=[session.pk]), {"reason": "  "}, follow=True)
        assert "请填写请假事由" in response.content.decode()
        client.post(reverse("session-leave", args=[session.pk]), {"reason": "值班"})
        response = client.post(reverse("session-leave", args=[session.pk]), {"reason": "值班"}, follow=True)
        assert "您已为本场次提交过请假申请" in response.content.decode()
    assert LeaveRequest.objects.count() == 1
    with pytest.raises(ValidationError):
        LeaveRequest.request(enrolled, session, "太晚了", now=at(100))


def test_a_learner_withdraws_a_pending_request_and_may_ask_again(clock, session, enrolled, client_for):
    clock.set(at(-120))
    client = client_for(enrolled)
    leave = ask(enrolled, session)
    client.post(reverse("session-leave-cancel", args=[session.pk, leave.pk]))
    leave.refresh_from_db()
    assert leave.status == "cancelled"
    client.post(reverse("session-leave", args=[session.pk]), {"reason": "又有事"})
    assert LeaveRequest.objects.open().count() == 1


def test_only_the_enrolled_learner_may_ask_or_withdraw(clock, session, enrolled, other_secretary, client_for):
    clock.set(at(-120))
    leave = ask(enrolled, session)
    other = client_for(other_secretary)
    assert other.post(reverse("session-leave", args=[session.pk]), {"reason": "x"}).status_code == 403
    assert other.post(reverse("session-leave-cancel", args=[session.pk, leave.pk])).status_code == 403
    leave.refresh_from_db()
    assert leave.status == "pending"


# --- the training office --------------------------------------------------------------------------


def test_the_office_approves_and_the_learner_is_excused(clock, session, enrolled, training_office, client_for,
                                                         django_capture_on_commit_callbacks):
    from lms.attendance.signals import attendance_changed

    seen = []
    attendance_changed.connect(receiver := lambda sender, record, previous_status, **kw: seen.append(record.status))
    leave = ask(enrolled, session)
    client = client_for(training_office)
    with translation.override("zh-hans"):
        page = client.get(reverse(LEAVE_URL)).content.decode()
    assert f'data-leave="{leave.pk}"' in page and "家中有事" in page
    try:
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse(LEAVE_URL), {"leave": leave.pk, "action": "approve", "note": "同意"})
    finally:
        attendance_changed.disconnect(receiver)
    leave.refresh_from_db()
    assert (leave.status, leave.decided_by, leave.decision_note) == ("approved", training_office.user, "同意")
    record = AttendanceRecord.objects.get(person=enrolled, session=session)
    assert (record.status, record.channel, record.recorded_by) == ("excused", "leave", training_office.user)
    assert seen == ["excused"]


def test_the_office_rejects(clock, session, enrolled, training_office, client_for):
    leave = ask(enrolled, session)
    client_for(training_office).post(reverse(LEAVE_URL), {"leave": leave.pk, "action": "reject", "note": "不符合"})
    leave.refresh_from_db()
    assert leave.status == "rejected"
    assert not AttendanceRecord.objects.exists()


def test_a_decided_request_cannot_be_decided_again(clock, session, enrolled, training_office):
    leave = ask(enrolled, session)
    leave.reject(training_office.user)
    with pytest.raises(ValidationError):
        leave.approve(training_office.user)
    assert not AttendanceRecord.objects.exists()


def test_the_office_sees_only_its_subtree(clock, session, enrolled, other_secretary, course, org_tree, make_person,
                                          client_for):
    from lms.learning.models import EnrollmentSource

    Enrollment.enrol(other_secretary, course, EnrollmentSource.BULK)
    mine, theirs = ask(enrolled, session), ask(other_secretary, session)
    street_office = make_person("东湖培训专干", org_tree["street_a"], groups=[roles.TRAINING_OFFICE])
    client = client_for(street_office)
    page = client.get(reverse(LEAVE_URL)).content.decode()
    assert f'data-leave="{mine.pk}"' in page and f'data-leave="{theirs.pk}"' not in page
    assert client.post(reverse(LEAVE_URL), {"leave": theirs.pk, "action": "approve"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "pending"


@pytest.mark.parametrize("who", ["secretary", "trainer", "hr", "street_admin"])
def test_leave_and_withdrawal_screens_are_for_the_training_office(session, client_for, request, who):
    client = client_for(request.getfixturevalue(who))
    assert client.get(reverse(LEAVE_URL)).status_code in (302, 403)
    assert client.get(reverse("attendance_withdrawals")).status_code in (302, 403)


# --- the 1/7 rule ---------------------------------------------------------------------------------


def test_the_balance_counts_full_time_days(full_time, enrolled):
    course, sessions = full_time
    balance = LeaveBalance.of(enrolled, course)
    assert (balance.course_days, balance.leave_days, balance.exceeded) == (7, 0, False)
    assert balance.limit_days == Decimal("1.00") and balance.course_hours == 42 and balance.limit_hours == 6
    assert LeaveBalance.of(enrolled, course, adding=sessions[0]).leave_days == 1


def test_one_day_of_seven_is_allowed_and_the_second_warns_then_flags(clock, full_time, enrolled, training_office,
                                                                     client_for):
    course, sessions = full_time
    client = client_for(training_office)
    first, second = ask(enrolled, sessions[1]), ask(enrolled, sessions[2])
    client.post(reverse(LEAVE_URL), {"leave": first.pk, "action": "approve"})
    assert not WithdrawalFlag.objects.exists()  # 1 day of 7: exactly the limit

    with translation.override("zh-hans"):
        response = client.post(reverse(LEAVE_URL), {"leave": second.pk, "action": "approve"})
    assert response.status_code == 200 and "data-over-limit" in response.content.decode()
    assert "超过脱产培训的 1/7" in response.content.decode()
    second.refresh_from_db()
    assert second.status == "pending"  # not yet: the office must confirm

    client.post(reverse(LEAVE_URL), {"leave": second.pk, "action": "approve", "confirm": "1"})
    second.refresh_from_db()
    assert second.status == "approved"
    flag = WithdrawalFlag.objects.get()
    assert (flag.person, flag.course, flag.leave_days, flag.course_days, flag.status) == (
        enrolled, course, 2, 7, "open")


def test_the_office_confirms_the_withdrawal(clock, full_time, enrolled, training_office, client_for):
    course, sessions = full_time
    for s in sessions[:2]:
        ask(enrolled, s).approve(training_office.user)
    flag = WithdrawalFlag.objects.get()
    client = client_for(training_office)
    assert f'data-flag="{flag.pk}"' in client.get(reverse("attendance_withdrawals")).content.decode()
    client.post(reverse("attendance_withdrawals"), {"flag": flag.pk, "action": "withdraw"})
    flag.refresh_from_db()
    assert (flag.status, flag.decided_by) == ("confirmed", training_office.user)
    assert not Enrollment.objects.current().filter(person=enrolled, course=course).exists()


def test_the_office_may_dismiss_the_flag_and_a_new_one_is_raised_later(clock, full_time, enrolled, training_office):
    course, sessions = full_time
    for s in sessions[:2]:
        ask(enrolled, s).approve(training_office.user)
    flag = WithdrawalFlag.objects.get()
    flag.decide(withdraw=False, by=training_office.user)
    assert Enrollment.objects.current().filter(person=enrolled, course=course).exists()
    with pytest.raises(ValidationError):
        flag.decide(withdraw=True, by=training_office.user)
    ask(enrolled, sessions[3]).approve(training_office.user)
    new = WithdrawalFlag.objects.get(status=WithdrawalStatus.OPEN)
    assert new.leave_days == 3


def test_the_rule_ignores_sessions_that_are_not_full_time(clock, session, enrolled, training_office):
    assert session.credit_days == 0
    leave = ask(enrolled, session)
    assert leave.balance_if_approved() is None
    assert leave.approve(training_office.user) is None
    assert not WithdrawalFlag.objects.exists()


def test_leave_status_labels(db):
    with translation.override("zh-hans"):
        assert str(LeaveStatus.PENDING.label) == "待审批"
