"""我的学习 (/me/): the learner's current enrolments with their live lesson counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from lms.learning.models import Enrollment, EnrollmentSource

pytestmark = pytest.mark.django_db

URL = reverse("my-learning")


def enrol(person, course):
    return Enrollment.enrol(person, course, EnrollmentSource.BULK)[0]


def lesson_total(status):
    return sum(requirement.total for requirement in status.requirements if requirement.kind == "lessons")


def rows(response):
    return [(row["course"].pk, lesson_total(row["status"])) for row in response.context["rows"]]


def test_it_sends_anonymous_users_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={URL}"


def test_it_lists_current_enrolments_only(client_for, secretary, course, make_course):
    withdrawn_course = make_course("已退出的课程")
    enrol(secretary, course)
    enrol(secretary, withdrawn_course).withdraw()
    response = client_for(secretary).get(URL)
    assert response.status_code == 200
    assert [pk for pk, _count in rows(response)] == [course.pk]
    content = response.content.decode()
    assert course.title in content
    assert withdrawn_course.title not in content


def test_it_counts_live_lessons_only(client_for, secretary, course, make_lesson):
    make_lesson("第一课")
    make_lesson("第二课")
    make_lesson("草稿课时", publish=False)
    enrol(secretary, course)
    response = client_for(secretary).get(URL)
    assert rows(response) == [(course.pk, 2)]
    assert '<li data-requirement="lessons">课时 <strong>0/2</strong>' in response.content.decode()


def test_it_counts_lessons_per_course(client_for, secretary, course, make_course, make_lesson):
    second = make_course("第二门课", starts_on=datetime.date(2026, 5, 1), ends_on=datetime.date(2026, 5, 2))
    make_lesson("甲")
    for title in ("乙", "丙", "丁"):
        make_lesson(title, parent=second)
    empty = make_course("没有课时的课", starts_on=datetime.date(2026, 1, 5), ends_on=datetime.date(2026, 1, 5))
    for c in (course, second, empty):
        enrol(secretary, c)
    response = client_for(secretary).get(URL)
    assert rows(response) == [(second.pk, 3), (course.pk, 1), (empty.pk, 0)]  # newest first
    assert [row["program_title"] for row in response.context["rows"]] == ["头雁讲坛"] * 3


def test_it_does_not_list_unpublished_courses(client_for, secretary, course):
    enrol(secretary, course)
    course.unpublish()
    assert rows(client_for(secretary).get(URL)) == []


def test_it_shows_only_the_persons_own_enrolments(client_for, secretary, other_secretary, course, make_course):
    other_course = make_course("西山专题")
    enrol(secretary, course)
    enrol(other_secretary, other_course)
    response = client_for(secretary).get(URL)
    assert [pk for pk, _count in rows(response)] == [course.pk]
    assert other_course.title not in response.content.decode()
    assert [pk for pk, _count in rows(client_for(other_secretary).get(URL))] == [other_course.pk]


def test_it_works_for_a_user_without_a_person(client_for, superuser):
    superuser.person.delete()
    superuser.refresh_from_db()
    response = client_for(superuser).get(URL)
    assert response.status_code == 200
    assert response.context["rows"] == []


def test_it_shows_an_empty_state(client_for, secretary):
    response = client_for(secretary).get(URL)
    with translation.override("zh-hans"):
        assert translation.gettext("You are not enrolled in any course yet.") in response.content.decode()


def count_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    return len(queries), len(response.context["rows"])


def test_it_takes_the_same_number_of_queries_for_one_or_many_courses(
        client_for, secretary, make_program, make_course, make_lesson):
    client = client_for(secretary)
    programs = [make_program(f"项目{i}", slug=f"p{i}") for i in range(2)]

    def add_course(i):
        course = make_course(f"课程{i}", parent=programs[i % 2], starts_on=datetime.date(2026, 1, 1 + i),
                             ends_on=datetime.date(2026, 1, 1 + i))
        for j in range(2):
            make_lesson(f"课时{i}-{j}", parent=course)
        enrol(secretary, course)

    add_course(0)
    client.get(URL)  # warm caches (site root paths) that are not per-request work
    one, listed = count_queries(client)
    assert listed == 1
    for i in range(1, 5):
        add_course(i)
    five, listed = count_queries(client)
    assert listed == 5
    assert five == one


def test_it_shows_how_many_lessons_are_completed(client_for, secretary, course, make_lesson, video_lesson):
    from lms.learning import progress

    first, _second = make_lesson("第一课"), make_lesson("第二课")
    enrol(secretary, course)
    progress.record(secretary, first)
    progress.record(secretary, video_lesson, completed=False)  # started only
    response = client_for(secretary).get(URL)
    requirement = response.context["rows"][0]["status"].requirements[0]
    assert (requirement.kind, requirement.done, requirement.needed) == ("lessons", 1, 3)
    assert '<li data-requirement="lessons">课时 <strong>1/3</strong>' in response.content.decode()


def test_it_does_not_count_another_learners_progress(client_for, secretary, other_secretary, course, make_lesson):
    from lms.learning import progress

    lesson = make_lesson("第一课")
    enrol(secretary, course)
    enrol(other_secretary, course)
    progress.record(other_secretary, lesson)
    assert client_for(secretary).get(URL).context["rows"][0]["status"].requirements[0].done == 0


def test_it_takes_the_same_number_of_queries_with_progress_in_many_courses(
        client_for, secretary, make_program, make_course, make_lesson, make_video_lesson):
    from lms.learning import progress

    client = client_for(secretary)
    program = make_program("项目", slug="p-progress")

    def add_course(i):
        course = make_course(f"课程{i}", parent=program, starts_on=datetime.date(2026, 2, 1 + i),
                             ends_on=datetime.date(2026, 2, 1 + i))
        reading = make_lesson(f"课时{i}", parent=course)
        video = make_video_lesson(f"视频{i}", parent=course)
        enrol(secretary, course)
        progress.record(secretary, reading)
        progress.record(secretary, video, completed=False)

    add_course(0)
    client.get(URL)
    one, listed = count_queries(client)
    assert listed == 1
    for i in range(1, 6):
        add_course(i)
    six, listed = count_queries(client)
    assert listed == 6
    assert six == one
    assert [row["status"].requirements[0].done for row in client.get(URL).context["rows"]] == [1] * 6
