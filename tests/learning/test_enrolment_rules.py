"""Enrolment rules (lms.learning.enrolment): who is in a course's audience (in SQL), bulk
enrolment counts, scope, and history kept across withdraw and re-enrol."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from courses.models import EnrolmentMode
from lms.learning import enrolment
from lms.learning.enrolment import EnrolmentCounts, Selection
from lms.learning.models import Enrollment, EnrollmentSource
from lms.people.models import CadreCategory, OrgType, Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(org_tree, make_person):
    """Active and inactive persons across both streets and the agency department."""
    today = timezone.localdate()
    return {
        "sec_a": make_person("东湖书记", org_tree["community_a"], cadre_category=CadreCategory.COMMUNITY_SECRETARY,
                             appointed_on=today - datetime.timedelta(days=30)),
        "member_a": make_person("东湖党员", org_tree["community_a"], cadre_category=CadreCategory.PARTY_MEMBER),
        "street_a": make_person("东湖街道干部", org_tree["street_a"], cadre_category=CadreCategory.AGENCY_CADRE),
        "sec_b": make_person("西山书记", org_tree["community_b"], cadre_category=CadreCategory.COMMUNITY_SECRETARY,
                             appointed_on=today - datetime.timedelta(days=900)),
        "agency": make_person("机关干部", org_tree["agency"], cadre_category=CadreCategory.AGENCY_CADRE),
        "gone": make_person("离职书记", org_tree["community_a"], cadre_category=CadreCategory.COMMUNITY_SECRETARY,
                            is_active=False),
    }


def names(persons):
    return set(persons.values_list("name", flat=True))


ACTIVE = {"东湖书记", "东湖党员", "东湖街道干部", "西山书记", "机关干部"}


# --- the audience ---------------------------------------------------------------------------------


def test_it_takes_every_active_person_when_no_filter_is_set(make_course, people):
    course = make_course("全员课程")
    assert names(enrolment.audience_persons(course)) >= ACTIVE
    assert "离职书记" not in names(enrolment.audience_persons(course))


def test_it_filters_by_organization_type(make_course, people):
    course = make_course("社区课程", audience_org_types=[OrgType.COMMUNITY])
    assert names(enrolment.audience_persons(course)) == {"东湖书记", "东湖党员", "西山书记"}


def test_it_filters_by_cadre_category(make_course, people):
    course = make_course("书记课程", audience_categories=[CadreCategory.COMMUNITY_SECRETARY])
    assert names(enrolment.audience_persons(course)) == {"东湖书记", "西山书记"}


def test_it_takes_the_whole_subtree_of_a_street(make_course, people, org_tree):
    course = make_course("东湖课程", streets=[org_tree["street_a"]])
    assert names(enrolment.audience_persons(course)) == {"东湖书记", "东湖党员", "东湖街道干部"}


def test_it_takes_several_streets(make_course, people, org_tree):
    course = make_course("两街课程", streets=[org_tree["street_a"], org_tree["street_b"]])
    assert names(enrolment.audience_persons(course)) == {"东湖书记", "东湖党员", "东湖街道干部", "西山书记"}


def test_it_requires_every_non_empty_filter(make_course, people, org_tree):
    course = make_course("东湖社区书记", audience_org_types=[OrgType.COMMUNITY],
                         audience_categories=[CadreCategory.COMMUNITY_SECRETARY], streets=[org_tree["street_a"]])
    assert names(enrolment.audience_persons(course)) == {"东湖书记"}


def test_it_agrees_with_the_course_pages_own_rule(make_course, people, org_tree):
    course = make_course("社区书记", audience_org_types=[OrgType.COMMUNITY, OrgType.STREET],
                         audience_categories=[CadreCategory.COMMUNITY_SECRETARY, CadreCategory.AGENCY_CADRE],
                         streets=[org_tree["street_a"]])
    in_sql = set(enrolment.audience_persons(course).values_list("pk", flat=True))
    in_python = {p.pk for p in Person.objects.active().select_related("organization") if course.audience_includes(p)}
    assert in_sql == in_python == {people["sec_a"].pk, people["street_a"].pk}


def test_it_is_one_query_for_the_persons(make_course, people, org_tree):
    course = make_course("东湖课程", audience_org_types=[OrgType.COMMUNITY], streets=[org_tree["street_a"]])
    with CaptureQueriesContext(connection) as queries:
        list(enrolment.audience_persons(course))
    assert len(queries) == 2  # the course's streets, then the persons


# --- staff selections -----------------------------------------------------------------------------


def test_a_selection_takes_an_organization_subtree(make_course, people, org_tree):
    course = make_course()
    assert names(Selection(organization_id=org_tree["street_a"].pk).persons(course)) == {
        "东湖书记", "东湖党员", "东湖街道干部", "离职书记"}


def test_a_selection_narrows_by_type_category_and_newly_appointed(make_course, people, org_tree):
    course = make_course()
    assert names(Selection(org_types=[OrgType.AGENCY]).persons(course)) == {"机关干部"}
    assert names(Selection(categories=[CadreCategory.COMMUNITY_SECRETARY]).persons(course)) == {
        "东湖书记", "西山书记", "离职书记"}
    assert names(Selection(newly_appointed=True).persons(course)) == {"东湖书记"}


def test_a_selection_survives_a_round_trip_to_a_task(make_course, org_tree):
    selection = Selection(organization_id=org_tree["street_a"].pk, categories=[CadreCategory.PARTY_MEMBER])
    assert Selection.from_dict(selection.as_dict()) == selection


def test_a_selection_of_a_deleted_organization_is_empty(make_course, people):
    assert not Selection(organization_id=999999).persons(make_course()).exists()


# --- bulk enrolment -------------------------------------------------------------------------------


def test_it_enrols_in_bulk_and_counts(make_course, people, training_office):
    course = make_course()
    Enrollment.enrol(people["sec_a"], course, EnrollmentSource.SELF)
    counts = enrolment.enrol_persons(course, Person.objects.all(),
                                     source=EnrollmentSource.BULK, by=training_office.user)
    assert counts.already_enrolled == 1
    assert counts.inactive == 1
    assert counts.enrolled == Person.objects.active().count() - 1
    created = Enrollment.objects.filter(course=course, source=EnrollmentSource.BULK)
    assert set(created.values_list("enrolled_by", flat=True)) == {training_office.user.pk}
    assert not Enrollment.objects.filter(person=people["gone"]).exists()


def test_it_is_idempotent(make_course, people):
    course = make_course()
    first = enrolment.enrol_audience(course)
    again = enrolment.enrol_audience(course)
    assert first.enrolled == len(ACTIVE)
    assert again.enrolled == 0 and again.already_enrolled == first.enrolled
    assert Enrollment.objects.current().filter(course=course).count() == first.enrolled


def test_it_keeps_history_when_a_withdrawn_person_is_enrolled_again(make_course, people):
    course = make_course()
    person = people["sec_a"]
    old, _ = Enrollment.enrol(person, course, EnrollmentSource.BULK)
    enrolment.withdraw(course, [old.pk], viewer=_superuser())
    counts = enrolment.enrol_persons(course, Person.objects.filter(pk=person.pk), source=EnrollmentSource.BULK)
    assert counts.enrolled == 1 and counts.reenrolled == 1
    rows = Enrollment.objects.filter(person=person, course=course).order_by("pk")
    assert rows.count() == 2
    assert rows[0].pk == old.pk and rows[0].withdrawn_at is not None
    assert rows[1].withdrawn_at is None


def test_automatic_enrolment_leaves_withdrawn_persons_out(make_course, people):
    course = make_course(enrolment_mode=EnrolmentMode.AUDIENCE)
    old, _ = Enrollment.enrol(people["sec_a"], course, EnrollmentSource.AUDIENCE)
    old.withdraw()
    counts = enrolment.enrol_audience(course)
    assert counts.withdrawn_skipped == 1
    assert not Enrollment.objects.current().filter(person=people["sec_a"], course=course).exists()


def test_it_refuses_persons_outside_the_viewers_scope(make_course, people, street_admin):
    course = make_course()
    counts = enrolment.enrol_selection(course, Selection(categories=[CadreCategory.COMMUNITY_SECRETARY]),
                                       by=street_admin.user, viewer=street_admin.user)
    assert counts == EnrolmentCounts(enrolled=1, out_of_scope=1, inactive=1)
    assert set(Enrollment.objects.filter(course=course).values_list("person__name", flat=True)) == {"东湖书记"}


def test_the_audience_button_source_is_the_audience_rule(make_course, people, training_office):
    course = make_course(audience_categories=[CadreCategory.COMMUNITY_SECRETARY])
    enrolment.enrol_selection(course, Selection(audience=True), by=training_office.user, viewer=training_office.user)
    assert set(Enrollment.objects.filter(course=course).values_list("source", flat=True)) == {EnrollmentSource.AUDIENCE}


def test_its_queries_do_not_grow_with_the_number_of_persons(make_course, org_tree, make_person):
    course = make_course()
    for i in range(5):
        make_person(f"甲{i}", org_tree["community_a"])
    with CaptureQueriesContext(connection) as small:
        enrolment.enrol_audience(course)
    for i in range(40):
        make_person(f"乙{i}", org_tree["community_b"])
    with CaptureQueriesContext(connection) as large:
        enrolment.enrol_audience(course)
    assert len(large) == len(small)


def test_withdraw_keeps_the_row_and_stays_in_scope(make_course, people, street_admin):
    course = make_course()
    a, _ = Enrollment.enrol(people["sec_a"], course, EnrollmentSource.BULK)
    b, _ = Enrollment.enrol(people["sec_b"], course, EnrollmentSource.BULK)
    assert enrolment.withdraw(course, [a.pk, b.pk], street_admin.user) == 1
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.withdrawn_at is not None and b.withdrawn_at is None
    assert enrolment.withdraw(course, [a.pk], street_admin.user) == 0  # already withdrawn


def test_counts_read_as_one_sentence_in_chinese():
    from django.utils import translation

    with translation.override("zh-hans"):
        text = EnrolmentCounts(enrolled=3, already_enrolled=2, out_of_scope=1).message()
    assert "3" in text and "已报名" in text and "管理范围" in text


def _superuser():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser(username="root-rules", password="x")
