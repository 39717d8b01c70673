"""The audit trail: every change to attendance, scores and rotation records writes a history row
saying who, when and old → new, including the bulk paths (the closing sweep, "mark the rest
absent", imports, regrading); live-presence heartbeats that only add minutes write none."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from lms.assessments import offline
from lms.assessments.models import Attempt, OfflineScore, QuestionOption, ScoreChangeReason
from lms.attendance import importing
from lms.attendance.models import (
    AttendanceRecord, AttendanceStatus, LeaveRequest, Session, WithdrawalFlag, WithdrawalStatus,
)
from lms.attendance.tasks import close_ended_sessions
from lms.rotations.models import Direction, Evaluation, Rotation, Status

from .conftest import at

pytestmark = pytest.mark.django_db


def trail(model, **lookup):
    """(history_type, user, reason, status-ish value) of the record's history rows, oldest first."""
    obj = model.objects.get(**lookup)
    return list(obj.history.order_by("history_date", "history_id"))


def test_it_records_who_when_and_old_to_new_of_a_roll_call_change(clock, session, roster, training_office,
                                                                     client_for):
    secretary, _other = roster
    clock.set(at(5))
    client = client_for(training_office)
    url = reverse("roll-call", args=[session.pk])
    client.post(url, {"person": secretary.pk, "status": "present"})
    clock.set(at(20))
    client.post(url, {"person": secretary.pk, "status": "late"})
    rows = trail(AttendanceRecord, person=secretary, session=session)
    assert [(r.history_type, r.status, r.channel) for r in rows] == [("+", "present", "roll_call"),
                                                                      ("~", "late", "roll_call")]
    assert {r.history_user for r in rows} == {training_office.user}
    assert [r.history_date for r in rows] == [at(5), at(20)]
    assert rows[-1].history_change_reason == "Roll call"
    delta = rows[1].diff_against(rows[0])
    assert [(c.field, c.old, c.new) for c in delta.changes] == [("last_seen_at", at(5), at(20)),
                                                                 ("status", "present", "late")]


def test_it_writes_history_for_mark_the_rest_absent(clock, session, roster, training_office, client_for):
    secretary, other = roster
    clock.set(at(30))
    client_for(training_office).post(reverse("roll-call-rest-absent", args=[session.pk]))
    for person in (secretary, other):
        [row] = trail(AttendanceRecord, person=person, session=session)
        assert (row.history_type, row.status, row.history_user) == ("+", "absent", training_office.user)
        assert row.history_change_reason == "Roll call: everyone without a record marked absent"


def test_it_writes_history_for_the_closing_sweep_without_a_user(clock, session, roster, secretary):
    AttendanceRecord.objects.record_status(secretary, session, status=AttendanceStatus.PRESENT, channel="qr",
                                           by=secretary.user, at=at(1))
    clock.set(at(101))
    assert close_ended_sessions() == 1
    [row] = trail(AttendanceRecord, person=roster[1], session=session)
    assert (row.history_type, row.status, row.channel, row.history_user) == ("+", "absent", "session_close", None)
    with translation.override("zh-hans"):
        assert translation.gettext(row.history_change_reason) == "场次结束自动记缺勤"
    # the checked-in secretary's record is untouched by the sweep: one row, by herself
    [mine] = trail(AttendanceRecord, person=secretary, session=session)
    assert (mine.history_user, mine.history_change_reason) == (secretary.user, "QR check-in")
    assert Session.objects.get(pk=session.pk).closed_at is not None


def test_it_writes_history_for_an_attendance_import(clock, session, roster, training_office):
    secretary, other = roster
    AttendanceRecord.objects.record_status(other, session, status=AttendanceStatus.ABSENT, channel="roll_call",
                                           by=training_office.user)
    data = "\r\n".join(["姓名,手机号,考勤", f"{secretary.name},{secretary.phone},出勤",
                        f"{other.name},{other.phone},请假"]).encode()
    with translation.override("zh-hans"):
        result = importing.run_import(data, "签到表.csv", session, training_office.user, dry_run=False)
    assert result.applied and not result.errors
    [created] = trail(AttendanceRecord, person=secretary, session=session)
    assert (created.history_type, created.status, created.channel) == ("+", "present", "import")
    rows = trail(AttendanceRecord, person=other, session=session)
    assert [(r.status, r.channel) for r in rows] == [("absent", "roll_call"), ("excused", "import")]
    assert rows[-1].history_user == training_office.user
    with translation.override("zh-hans"):
        assert translation.gettext(rows[-1].history_change_reason) == "签到表导入"


def test_it_keeps_heartbeat_minutes_out_of_the_history_but_records_the_status_change(clock, session, roster):
    secretary, _other = roster
    for minute in range(0, 79):
        AttendanceRecord.objects.record_live_presence(secretary, session, now=at(minute, 5), by=secretary.user)
    record = AttendanceRecord.objects.get(person=secretary, session=session)
    assert record.minutes_present == 79 and record.status == AttendanceStatus.ABSENT
    assert record.history.count() == 1  # created at the first beat; 78 beats of minutes add nothing
    for minute in range(79, 83):
        AttendanceRecord.objects.record_live_presence(secretary, session, now=at(minute, 5), by=secretary.user)
    rows = trail(AttendanceRecord, person=secretary, session=session)
    assert [(r.history_type, r.status) for r in rows] == [("+", "absent"), ("~", "present")]
    assert rows[-1].history_user == secretary.user and rows[-1].minutes_present == 80
    assert rows[-1].history_change_reason == "Live online"
    changed = [c.field for c in rows[1].diff_against(rows[0]).changes]
    assert "status" in changed and "minutes_present" in changed


def test_it_writes_one_history_row_per_qr_check_in(clock, session, roster, client_for):
    from lms.attendance.checkin import check_in

    secretary, _other = roster
    clock.set(at(2))
    history_table = AttendanceRecord.history.model._meta.db_table
    with CaptureQueriesContext(connection) as first:
        assert check_in(secretary.user, session).outcome == "checked_in"
    statements = [q["sql"] for q in first.captured_queries]
    record_table = AttendanceRecord._meta.db_table
    # the record and one history row (on PostgreSQL one statement writes both; other inserts, e.g.
    # the learning feed's queue entry, are not ours)
    assert sum(sql.count(f'INSERT INTO "{history_table}"') for sql in statements) == 1
    assert sum(sql.count(f'INSERT INTO "{record_table}"') for sql in statements) == 1
    assert check_in(secretary.user, session).outcome == "already"  # writes no second row:
    [row] = trail(AttendanceRecord, person=secretary, session=session)
    assert (row.status, row.channel, row.history_user) == ("present", "qr", secretary.user)


def test_it_records_leave_decisions_and_withdrawal_flags(clock, course, roster, training_office):
    secretary, _other = roster
    days = [Session.objects.create(course=course, title=f"全脱产第{n}天", starts_at=at(60 * 24 * n),
                                   ends_at=at(60 * 24 * n + 480), credit_days=Decimal("1"), mode="offline")
            for n in range(1, 7)]
    leave = LeaveRequest.request(secretary, days[0], "家中有事")
    flag = leave.approve(training_office.user)
    rows = trail(LeaveRequest, pk=leave.pk)
    assert [(r.history_type, r.status) for r in rows] == [("+", "pending"), ("~", "approved")]
    assert rows[-1].history_user == training_office.user
    assert flag is not None  # 1 day of 6 > 1/7
    record = AttendanceRecord.objects.get(person=secretary, session=days[0])
    assert record.history.get().history_user == training_office.user
    flag.decide(withdraw=False, by=training_office.user)
    rows = trail(WithdrawalFlag, pk=flag.pk)
    assert [(r.status, r.history_user) for r in rows][-1] == (WithdrawalStatus.DISMISSED, training_office.user)
    # a flag brought up to date by a later approval gets a history row too (not a silent update)
    leave2 = LeaveRequest.request(secretary, days[1], "再次请假")
    second = leave2.approve(training_office.user)
    second_flag = trail(WithdrawalFlag, pk=second.pk)
    leave3 = LeaveRequest.request(secretary, days[2], "第三次")
    leave3.approve(training_office.user)
    rows = trail(WithdrawalFlag, pk=second.pk)
    assert len(rows) == len(second_flag) + 1
    assert [(c.field, c.old, c.new) for c in rows[-1].diff_against(rows[-2]).changes] == [
        ("leave_days", Decimal("2.0"), Decimal("3.0"))]


def test_it_records_offline_score_changes_old_to_new(exam, roster, training_office):
    secretary, _other = roster
    for value in ("72", "58"):
        check = offline.ScoreCheck([offline.ScoreLine(1, secretary, Decimal(value), "", None)], [])
        offline.apply(exam, check, training_office.user, reason=ScoreChangeReason.MANUAL)
    rows = trail(OfflineScore, assessment=exam, person=secretary)
    assert [(r.history_type, r.score, r.passed) for r in rows] == [("+", Decimal("72.00"), True),
                                                                    ("~", Decimal("58.00"), False)]
    assert {(r.history_user, r.history_change_reason) for r in rows} == {(training_office.user, "Entered by hand")}
    assert [(c.field, c.old, c.new) for c in rows[1].diff_against(rows[0]).changes] == [
        ("passed", True, False), ("score", Decimal("72.00"), Decimal("58.00"))]


def test_it_records_offline_score_imports_made_through_the_admin(client_for, exam, roster, training_office):
    secretary, _other = roster
    client = client_for(training_office)
    url = reverse("assessments_offline_scores", args=[exam.pk])
    client.post(url, {"action": "manual", f"score-{secretary.pk}": "72"})
    [row] = trail(OfflineScore, assessment=exam, person=secretary)
    assert row.history_user == training_office.user


def test_it_records_a_regrade_after_a_question_fix(clock, quiz, quiz_question, roster, training_office):
    secretary, _other = roster
    clock.set(at(1))
    attempt = quiz.start_attempt(secretary)
    answer = attempt.answers.get()
    wrong = QuestionOption.objects.get(question=quiz_question, is_correct=False)
    attempt.submit({"attempt": str(attempt.pk), answer.field_name: str(wrong.pk)})
    attempt.refresh_from_db()
    assert attempt.score == Decimal("0.00")
    # the key was wrong: fix it
    QuestionOption.objects.filter(question=quiz_question).update(is_correct=~models.Q(is_correct=True))
    clock.set(at(30))
    assert quiz_question.regrade_attempts(by=training_office.user) == 1
    rows = trail(Attempt, pk=attempt.pk)
    assert [r.status for r in rows] == ["in_progress", "graded", "graded"]
    last = rows[-1]
    assert (last.history_user, last.history_change_reason, last.history_date) == (
        training_office.user, "Regraded after a question fix", at(30))
    changes = {c.field: (c.old, c.new) for c in last.diff_against(rows[-2]).changes}
    assert changes["score"] == (Decimal("0.00"), Decimal("2.00"))
    answer_rows = list(answer.history.order_by("history_date", "history_id"))
    assert [(r.history_type, r.score) for r in answer_rows] == [("+", None), ("~", Decimal("0.00")),
                                                                ("~", Decimal("2.00"))]
    assert answer_rows[-1].history_user == training_office.user


def test_it_keeps_autosaves_out_of_the_history(clock, quiz, quiz_question, roster):
    secretary, _other = roster
    attempt = quiz.start_attempt(secretary)
    answer = attempt.answers.get()
    right = QuestionOption.objects.get(question=quiz_question, is_correct=True)
    for _ in range(3):
        attempt.save_sheet({"attempt": str(attempt.pk), answer.field_name: str(right.pk)})
        attempt.save_sheet({"attempt": str(attempt.pk)})
    assert attempt.history.count() == 1 and answer.history.count() == 1


def test_it_records_a_rotation_evaluation_change_by_the_admin_user(client_for, hr, secretary, org_tree):
    rotation = Rotation(person=secretary, direction=Direction.SECONDMENT, host_organization=org_tree["agency"],
                        starts_on=datetime.date(2026, 3, 1), ends_on=datetime.date(2026, 8, 31),
                        status=Status.IN_PROGRESS)
    rotation.save()
    client = client_for(hr)
    url = reverse("wagtailsnippets_rotations_rotation:edit", args=[rotation.pk])
    form = {"person": secretary.pk, "direction": Direction.SECONDMENT, "status": Status.FINISHED,
            "home_organization": org_tree["community_a"].pk, "host_organization": org_tree["agency"].pk,
            "post_held": "", "mentor": "", "starts_on": "2026-03-01", "ends_on": "2026-08-31", "goals": "",
            "midterm_evaluation": "", "midterm_comments": "", "final_evaluation": Evaluation.EXCELLENT,
            "final_comments": "表现突出"}
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    rows = trail(Rotation, pk=rotation.pk)
    assert rows[-1].history_user == hr.user
    changes = {c.field: (c.old, c.new) for c in rows[-1].diff_against(rows[-2]).changes}
    assert changes["final_evaluation"] == ("", Evaluation.EXCELLENT)
    assert changes["status"] == (Status.IN_PROGRESS, Status.FINISHED)
