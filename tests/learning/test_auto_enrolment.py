"""Automatic enrolment of AUDIENCE-mode courses: on publish (a django-q2 task), when a person is
created, moved, re-categorised or reactivated, after a roster import, and when a learner of the
audience opens the course. Nobody is withdrawn automatically."""

import datetime

import pytest
from django.utils import timezone

from courses.models import EnrolmentMode
from lms.learning import tasks
from lms.learning.models import Enrollment, EnrollmentSource
from lms.people import roster
from lms.people.models import CadreCategory, OrgType, Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_tasks_inline(monkeypatch):
    """django-q2's sync mode: async_task runs the task at once, in this process and transaction."""
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", True)


@pytest.fixture
def open_course(make_course, org_tree):
    """Factory: a published course running now, for community secretaries of street A."""

    def make(title="社区书记轮训", *, mode=EnrolmentMode.AUDIENCE, ends_in_days=30, **fields):
        today = timezone.localdate()
        fields.setdefault("audience_org_types", [OrgType.COMMUNITY])
        fields.setdefault("audience_categories", [CadreCategory.COMMUNITY_SECRETARY])
        fields.setdefault("streets", [org_tree["street_a"]])
        starts_on = today - datetime.timedelta(days=60)
        return make_course(title, enrolment_mode=mode, year=starts_on.year, starts_on=starts_on,
                           ends_on=today + datetime.timedelta(days=ends_in_days), **fields)

    return make


def current(course):
    return set(Enrollment.objects.current().filter(course=course).values_list("person__name", flat=True))


def secretary_of(make_person, org, name="新书记", **fields):
    fields.setdefault("cadre_category", CadreCategory.COMMUNITY_SECRETARY)
    return make_person(name, org, **fields)


# --- on publish -----------------------------------------------------------------------------------


def test_publishing_enrols_the_whole_audience(open_course, make_person, org_tree, run_tasks_inline,
                                              django_capture_on_commit_callbacks):
    secretary_of(make_person, org_tree["community_a"], "东湖书记")
    secretary_of(make_person, org_tree["community_b"], "西山书记")
    make_person("东湖党员", org_tree["community_a"], cadre_category=CadreCategory.PARTY_MEMBER)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        course = open_course()
    assert callbacks  # queued only once the publish has committed
    assert current(course) == {"东湖书记"}
    enrollment = Enrollment.objects.get(course=course)
    assert enrollment.source == EnrollmentSource.AUDIENCE and enrollment.enrolled_by is None


def test_publishing_queues_a_task_without_running_it_in_the_request(open_course, make_person, org_tree,
                                                                   django_capture_on_commit_callbacks):
    from django_q.brokers import get_broker

    secretary_of(make_person, org_tree["community_a"], "东湖书记")
    broker = get_broker()
    before = broker.queue_size()
    with django_capture_on_commit_callbacks(execute=True):
        course = open_course()
    assert broker.queue_size() == before + 1
    assert current(course) == set()
    assert tasks.enrol_course_audience(course.pk)["enrolled"] == 1  # what the worker runs


def test_publishing_an_assigned_course_enrols_nobody(open_course, make_person, org_tree, run_tasks_inline,
                                                     django_capture_on_commit_callbacks):
    secretary_of(make_person, org_tree["community_a"], "东湖书记")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        course = open_course(mode=EnrolmentMode.ASSIGNED)
    assert not callbacks
    assert current(course) == set()


def test_the_task_is_idempotent_and_respects_withdrawals(open_course, make_person, org_tree):
    course = open_course()
    a = secretary_of(make_person, org_tree["community_a"], "甲书记")
    b = secretary_of(make_person, org_tree["community_a"], "乙书记")
    Enrollment.objects.filter(person=b).update(withdrawn_at=timezone.now())  # the office withdrew 乙
    result = tasks.enrol_course_audience(course.pk)
    assert result["enrolled"] == 0 and result["already_enrolled"] == 1 and result["withdrawn_skipped"] == 1
    assert tasks.enrol_course_audience(course.pk)["enrolled"] == 0
    assert Enrollment.objects.filter(person=a, course=course).count() == 1
    assert current(course) == {"甲书记"}


def test_the_task_does_nothing_for_an_ended_unpublished_or_reassigned_course(open_course, make_person, org_tree):
    ended = open_course("已结束", ends_in_days=-1)
    draft = open_course("草稿")
    draft.unpublish()
    reassigned = open_course("改为指定报名")
    reassigned.enrolment_mode = EnrolmentMode.ASSIGNED
    reassigned.save()
    Enrollment.objects.all().delete()
    secretary_of(make_person, org_tree["community_a"], "东湖书记")
    Enrollment.objects.all().delete()
    for course in (ended, draft, reassigned):
        assert tasks.enrol_course_audience(course.pk) is None
    assert tasks.enrol_course_audience(999999) is None
    assert not Enrollment.objects.exists()


# --- when a person is created or changes ----------------------------------------------------------


def test_a_new_person_in_the_audience_is_enrolled(open_course, make_person, org_tree):
    course = open_course()
    ended = open_course("已结束", ends_in_days=-1)
    assigned = open_course("指定报名", mode=EnrolmentMode.ASSIGNED)
    secretary_of(make_person, org_tree["community_a"], "新书记")
    secretary_of(make_person, org_tree["community_b"], "外街书记")
    assert current(course) == {"新书记"}
    assert current(ended) == set() and current(assigned) == set()


def test_a_new_person_is_not_enrolled_in_an_unpublished_course(open_course, make_person, org_tree):
    course = open_course()
    course.unpublish()
    secretary_of(make_person, org_tree["community_a"], "新书记")
    assert current(course) == set()


def test_a_person_who_moves_into_the_audience_is_enrolled(open_course, make_person, org_tree):
    course = open_course()
    person = secretary_of(make_person, org_tree["community_b"], "调动书记")
    assert current(course) == set()
    person.organization = org_tree["community_a"]
    person.save()
    assert current(course) == {"调动书记"}


def test_a_person_whose_category_changes_is_enrolled(open_course, make_person, org_tree):
    course = open_course()
    person = make_person("新任书记", org_tree["community_a"], cadre_category=CadreCategory.PARTY_MEMBER)
    assert current(course) == set()
    person.cadre_category = CadreCategory.COMMUNITY_SECRETARY
    person.save()
    assert current(course) == {"新任书记"}


def test_a_reactivated_person_is_enrolled(open_course, make_person, org_tree):
    course = open_course()
    person = secretary_of(make_person, org_tree["community_a"], "返岗书记", is_active=False)
    assert current(course) == set()
    person.is_active = True
    person.save()
    assert current(course) == {"返岗书记"}


def test_leaving_the_audience_does_not_withdraw(open_course, make_person, org_tree):
    course = open_course()
    person = secretary_of(make_person, org_tree["community_a"], "调走书记")
    person.organization = org_tree["community_b"]
    person.save()
    person.is_active = False
    person.save()
    assert current(course) == {"调走书记"}


def test_a_withdrawn_person_is_not_enrolled_again_by_a_change(open_course, make_person, org_tree):
    course = open_course()
    person = secretary_of(make_person, org_tree["community_a"], "退出书记")
    Enrollment.objects.get(person=person, course=course).withdraw()
    person.organization = org_tree["community_b"]
    person.save()
    person.organization = org_tree["community_a"]
    person.save()
    assert current(course) == set()
    assert Enrollment.objects.filter(person=person, course=course).count() == 1


def test_saving_a_person_without_an_audience_change_costs_no_enrolment_work(open_course, make_person, org_tree):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    open_course()
    person = secretary_of(make_person, org_tree["community_a"], "书记")
    person.name = "改名书记"
    with CaptureQueriesContext(connection) as queries:
        person.save()
    assert not [q for q in queries if "courses_coursepage" in q["sql"] or "learning_enrollment" in q["sql"]]


def test_a_roster_import_enrols_new_persons(open_course, org_tree, hr, run_tasks_inline,
                                            django_capture_on_commit_callbacks):
    course = open_course()
    data = ("姓名,手机号,所属组织,干部类别\n"
            "陈书记,13911112222,东湖社区,社区党组织书记\n"
            "周党员,13911113333,东湖社区,党员\n").encode()
    with django_capture_on_commit_callbacks(execute=True):
        result = roster.run_import(data, "名单.csv", hr.user, dry_run=False)
    assert result.applied
    assert current(course) == {"陈书记"}
    assert Person.objects.filter(phone="13911113333").exists()


# --- opening the course page ----------------------------------------------------------------------


def test_a_learner_of_the_audience_sees_they_are_enrolled(open_course, make_person, org_tree, client_for):
    course = open_course()
    person = secretary_of(make_person, org_tree["community_a"], "东湖书记")
    Enrollment.objects.filter(person=person).delete()  # as if the task had not reached them yet
    response = client_for(person).get(course.url)
    assert response.status_code == 200
    assert response.context["enrollment"] is not None
    assert "已报名" in response.content.decode()
    assert current(course) == {"东湖书记"}


def test_opening_a_lesson_enrols_too(open_course, make_person, org_tree, client_for, make_lesson):
    course = open_course()
    lesson = make_lesson("第一课", parent=course)
    person = secretary_of(make_person, org_tree["community_a"], "东湖书记")
    Enrollment.objects.filter(person=person).delete()
    assert client_for(person).get(lesson.url).status_code == 200
    assert current(course) == {"东湖书记"}


def test_opening_the_page_enrols_nobody_outside_the_audience_or_withdrawn(open_course, make_person, org_tree,
                                                                         client_for):
    course = open_course()
    outsider = secretary_of(make_person, org_tree["community_b"], "西山书记")
    withdrawn = secretary_of(make_person, org_tree["community_a"], "退出书记")
    Enrollment.objects.get(person=withdrawn).withdraw()
    for person in (outsider, withdrawn):
        response = client_for(person).get(course.url)
        assert response.status_code == 200 and response.context["enrollment"] is None
    assert current(course) == set()
