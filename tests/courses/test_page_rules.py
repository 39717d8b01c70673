"""The page tree rules of the catalogue, course validation and the audience filter."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from wagtail.models import Page

from courses.models import CoursePage, HomePage, ProgramPage, ReadingLessonPage, VideoLessonPage
from lms.people.models import CadreCategory, OrgType

pytestmark = pytest.mark.django_db


def test_it_allows_programs_only_under_the_home_page(home_page, program, course, lesson):
    assert ProgramPage.can_create_at(home_page)
    for parent in (Page.get_first_root_node(), program, course, lesson):
        assert not ProgramPage.can_create_at(parent)


def test_it_allows_courses_only_under_programs(home_page, program, course, lesson):
    assert CoursePage.can_create_at(program)
    for parent in (Page.get_first_root_node(), home_page, course, lesson):
        assert not CoursePage.can_create_at(parent)


def test_it_allows_lessons_only_under_courses(home_page, program, course, lesson):
    assert ReadingLessonPage.can_create_at(course)
    for parent in (Page.get_first_root_node(), home_page, program, lesson):
        assert not ReadingLessonPage.can_create_at(parent)


def test_it_allows_only_one_home_page(home_page):
    assert not HomePage.can_create_at(Page.get_first_root_node())


def test_it_declares_the_subpage_types(home_page, program, course, lesson):
    assert HomePage.allowed_subpage_models() == [ProgramPage]
    assert ProgramPage.allowed_subpage_models() == [CoursePage]
    from lms.assessments.models import QuizPage

    assert CoursePage.allowed_subpage_models() == [ReadingLessonPage, VideoLessonPage, QuizPage]
    assert ReadingLessonPage.allowed_subpage_models() == []
    assert ReadingLessonPage.allowed_parent_page_models() == [CoursePage]
    assert VideoLessonPage.allowed_subpage_models() == []
    assert VideoLessonPage.allowed_parent_page_models() == [CoursePage]


def test_it_rejects_a_course_that_ends_before_it_starts(course):
    course.ends_on = course.starts_on - datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as raised:
        course.clean()
    assert list(raised.value.message_dict) == ["ends_on"]


def test_it_accepts_a_one_day_course(course):
    course.ends_on = course.starts_on
    course.full_clean()


def test_it_rejects_a_year_other_than_the_start_year(course):
    course.year = course.starts_on.year + 1
    with pytest.raises(ValidationError) as raised:
        course.clean()
    assert list(raised.value.message_dict) == ["year"]


def test_it_accepts_a_course_running_into_the_next_year(course):
    course.year = 2026
    course.starts_on = datetime.date(2026, 12, 28)
    course.ends_on = datetime.date(2027, 1, 8)
    course.full_clean()


def test_it_rejects_unknown_audience_choices(course):
    course.audience_org_types = ["community", "planet"]
    with pytest.raises(ValidationError) as raised:
        course.full_clean()
    assert "audience_org_types" in raised.value.message_dict


def test_it_rejects_a_negative_credit_hours(course):
    course.credit_hours = -1
    with pytest.raises(ValidationError) as raised:
        course.full_clean()
    assert "credit_hours" in raised.value.message_dict


# --- audience -----------------------------------------------------------------------------------


def test_it_opens_a_course_without_audience_filters_to_anyone(make_course, secretary, other_secretary, trainer, hr):
    open_course = make_course("全员课程")
    for person in (secretary, other_secretary, trainer, hr):
        assert open_course.audience_includes(person)


def test_it_filters_the_audience_by_organization_type(make_course, secretary, trainer):
    course = make_course("社区课程", audience_org_types=[OrgType.COMMUNITY])
    assert course.audience_includes(secretary)
    assert not course.audience_includes(trainer)  # an agency cadre


def test_it_filters_the_audience_by_cadre_category(make_course, secretary, make_person, org_tree):
    course = make_course("村书记课程", audience_categories=[CadreCategory.VILLAGE_SECRETARY])
    assert not course.audience_includes(secretary)
    village = org_tree["street_a"].add_child(name="某村", org_type=OrgType.VILLAGE)
    village_secretary = make_person("村书记", village, cadre_category=CadreCategory.VILLAGE_SECRETARY)
    assert course.audience_includes(village_secretary)


def test_it_filters_the_audience_by_street(course, secretary, other_secretary, street_admin):
    # The `course` fixture: communities and villages, community/village secretaries, street A.
    assert course.audience_includes(secretary)
    assert not course.audience_includes(other_secretary)  # street B
    assert not course.audience_includes(street_admin)  # street A, but a street, not a community


def test_it_requires_every_non_empty_filter(make_course, org_tree, make_person):
    course = make_course("组合", audience_org_types=[OrgType.COMMUNITY],
                         audience_categories=[CadreCategory.COMMUNITY_SECRETARY], streets=[org_tree["street_b"]])
    member = make_person("党员", org_tree["community_b"], cadre_category=CadreCategory.PARTY_MEMBER)
    secretary_b = make_person("书记", org_tree["community_b"], cadre_category=CadreCategory.COMMUNITY_SECRETARY)
    assert not course.audience_includes(member)
    assert course.audience_includes(secretary_b)


def test_it_accepts_several_streets(make_course, org_tree, secretary, other_secretary):
    course = make_course("两街道", streets=[org_tree["street_a"], org_tree["street_b"]])
    assert course.audience_includes(secretary)
    assert course.audience_includes(other_secretary)


def test_it_keeps_the_audience_streets_through_a_revision(course, org_tree):
    revision = course.save_revision()
    restored = revision.as_object()
    assert list(restored.audience_streets.all()) == [org_tree["street_a"]]
