"""The audit log screen (审计日志) and a record's change history (修改记录): staff who may read a
model see its changes with who, when and old → new, limited to the persons of their scope; others
get a 403 (users without admin access are sent to the login page, as everywhere in the admin)."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse

from lms.assessments import offline
from lms.assessments.models import ScoreChangeReason
from lms.attendance.models import AttendanceRecord, AttendanceStatus
from lms.audit.registry import audited_model, audited_models, person_path
from lms.rotations.models import Direction, Rotation, Status

from .conftest import at

pytestmark = pytest.mark.django_db

LOG = "/admin/audit/"


def score(exam, person, value, by):
    check = offline.ScoreCheck([offline.ScoreLine(1, person, Decimal(value), "", None)], [])
    offline.apply(exam, check, by, reason=ScoreChangeReason.IMPORT)


def test_it_discovers_every_model_with_history():
    keys = {audited.key for audited in audited_models()}
    assert {"attendance.attendancerecord", "attendance.leaverequest", "attendance.withdrawalflag",
            "assessments.attempt", "assessments.answer", "assessments.offlinescore",
            "rotations.rotation"} <= keys
    # exactly the models that carry simple-history's manager, whichever app declares them
    marked = {m._meta.label_lower for m in apps.get_models()
              if getattr(m._meta, "simple_history_manager_attribute", None)}
    assert keys == marked
    # history tables themselves are not audited models
    assert not any(key.split(".")[1].startswith("historical") for key in keys)


def test_it_finds_whose_record_it_is():
    assert audited_model("attendance.attendancerecord").person_path == "person"
    assert audited_model("assessments.answer").person_path == "attempt__person"
    assert audited_model("rotations.rotation").person_path == "person"

    class NoPerson:
        class _meta:
            @staticmethod
            def get_field(name):
                raise LookupError(name)

    assert person_path(NoPerson) is None


def test_it_shows_a_change_with_who_and_old_to_new_to_the_training_office(clock, session, secretary,
                                                                            training_office, client_for):
    AttendanceRecord.objects.record_status(secretary, session, status=AttendanceStatus.PRESENT, channel="roll_call",
                                           by=training_office.user, at=at(3))
    clock.set(at(40))
    AttendanceRecord.objects.record_status(secretary, session, status=AttendanceStatus.LATE, channel="roll_call",
                                           by=training_office.user, at=at(40))
    response = client_for(training_office).get(LOG, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    html = response.content.decode()
    assert "审计日志" in html
    assert "张书记" in html and "赵科长" in html
    assert "<del>出勤</del> → <ins>迟到</ins>" in html
    assert "现场点名" in html  # the reason, translated
    assert 'data-field="id"' not in html and 'data-field="presence_minutes"' not in html


def test_it_filters_by_kind_date_and_record(clock, session, secretary, other_secretary, exam, training_office,
                                            client_for):
    score(exam, secretary, "80", training_office.user)
    AttendanceRecord.objects.record_status(other_secretary, session, status=AttendanceStatus.ABSENT,
                                           channel="roll_call", by=training_office.user, at=at(1))
    client = client_for(training_office)
    only_scores = client.get(LOG, {"kind": "assessments.offlinescore"}).content.decode()
    assert 'data-kind="assessments.offlinescore"' in only_scores
    assert 'data-kind="attendance.attendancerecord"' not in only_scores
    record = AttendanceRecord.objects.get()
    one = client.get(LOG, {"kind": "attendance.attendancerecord", "record": record.pk}).content.decode()
    assert f'data-record="{record.pk}"' in one and "offlinescore" not in one.split('id="audit-log"')[1]
    day = datetime.date(2026, 3, 20)
    later = client.get(LOG, {"since": (day + datetime.timedelta(days=1)).isoformat()}).content.decode()
    assert "data-kind=" not in later
    same_day = client.get(LOG, {"since": day.isoformat(), "until": day.isoformat()}).content.decode()
    assert 'data-kind="attendance.attendancerecord"' in same_day
    bad = client.get(LOG, {"since": "2026-13-40", "record": "x"})
    assert bad.status_code == 200


def test_it_paginates(clock, session, secretary, training_office, client_for):
    statuses = [AttendanceStatus.PRESENT, AttendanceStatus.LATE]
    for n in range(55):
        AttendanceRecord.objects.record_status(secretary, session, status=statuses[n % 2], channel="roll_call",
                                               by=training_office.user, at=at(n))
    client = client_for(training_office)
    first = client.get(LOG).content.decode()
    second = client.get(LOG, {"p": 2}).content.decode()
    assert first.count("<tr data-kind=") == 50 and second.count("<tr data-kind=") == 5


def test_it_hides_another_streets_changes_from_a_street_admin(exam, secretary, other_secretary, training_office,
                                                              street_admin, client_for):
    score(exam, secretary, "81", training_office.user)
    score(exam, other_secretary, "59", training_office.user)
    client = client_for(street_admin)
    html = client.get(LOG).content.decode()
    assert secretary.name in html and other_secretary.name not in html
    other = exam.scores.get(person=other_secretary)
    assert client.get(reverse("audit_record", args=["assessments.offlinescore", other.pk])).status_code == 404
    mine = exam.scores.get(person=secretary)
    assert client.get(reverse("audit_record", args=["assessments.offlinescore", mine.pk])).status_code == 200
    # and models the street admin has no permission for are not offered at all
    assert 'data-kind="rotations.rotation"' not in client.get(LOG, {"kind": "rotations.rotation"}).content.decode()
    assert client.get(reverse("audit_record", args=["rotations.rotation", 1])).status_code == 403


def test_it_shows_one_records_history_reached_from_the_rotation_listing(hr, secretary, org_tree, client_for):
    rotation = Rotation.objects.create(person=secretary, direction=Direction.SECONDMENT,
                                       host_organization=org_tree["agency"], starts_on=datetime.date(2026, 3, 1),
                                       ends_on=datetime.date(2026, 8, 31), status=Status.PLANNED)
    rotation.status = Status.IN_PROGRESS
    rotation.save()
    client = client_for(hr)
    url = reverse("audit_record", args=["rotations.rotation", rotation.pk])
    listing = client.get(reverse("wagtailsnippets_rotations_rotation:list")).content.decode()
    assert url in listing
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "<del>计划中</del> → <ins>进行中</ins>" in html or "→ <ins>进行中</ins>" in html
    assert html.count("data-history=") == 2


@pytest.mark.parametrize("who", ["trainer"])
def test_it_refuses_staff_without_an_audited_model(who, request, client_for):
    assert client_for(request.getfixturevalue(who)).get(LOG).status_code == 403


def test_it_turns_away_a_secretary(secretary, client_for):
    """Wagtail answers every admin URL for an account without admin access with its login page
    (the same for the records screens); nothing of the log is shown."""
    client = client_for(secretary)
    for url in (LOG, reverse("audit_record", args=["attendance.attendancerecord", 1])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("wagtailadmin_login"))


def test_it_sends_anonymous_visitors_to_the_login_page(client):
    response = client.get(LOG)
    assert response.status_code == 302 and response["Location"].startswith(reverse("wagtailadmin_login"))
    assert client.get(reverse("audit_record", args=["rotations.rotation", 1])).status_code == 302


def test_it_shows_the_menu_item_only_to_those_who_may_read(training_office, trainer, client_for):
    assert 'audit-log' in client_for(training_office).get("/admin/").content.decode()
    assert 'audit-log' not in client_for(trainer).get("/admin/").content.decode()
