"""The catalogue (home, programs) is public; course content needs a login."""

from urllib.parse import quote

import pytest
from wagtail.models import PageViewRestriction

pytestmark = pytest.mark.django_db


def login_redirect_for(url):
    return f"/login/?next={quote(url)}"


def test_it_shows_the_catalogue_to_anonymous_users(client, home_page, program, course):
    response = client.get("/")
    assert response.status_code == 200
    content = response.content.decode()
    assert home_page.title in content
    assert program.title in content
    assert course.title in content
    assert f'href="{course.url}"' in content


def test_it_shows_a_program_page_to_anonymous_users(client, program, course, make_course):
    other = make_course("2026年第二季度头雁讲坛", starts_on=course.starts_on.replace(month=6),
                        ends_on=course.ends_on.replace(month=6))
    response = client.get(program.url)
    assert response.status_code == 200
    content = response.content.decode()
    assert course.title in content
    assert other.title in content
    assert content.index(other.title) < content.index(course.title)  # newest first


def test_it_does_not_list_draft_courses(client, program, course, make_course):
    draft = make_course("尚未发布的课程", publish=False)
    for url in ("/", program.url):
        content = client.get(url).content.decode()
        assert course.title in content
        assert draft.title not in content


def test_it_lists_courses_under_their_own_program(client, make_program, program, course, make_course):
    classroom = make_program("示范课堂", slug="classroom", kind="classroom", cadence="semiannual")
    classroom_course = make_course("2026年上半年示范课堂", parent=classroom)
    content = client.get(program.url).content.decode()
    assert course.title in content
    assert classroom_course.title not in content
    home = client.get("/")
    listed = {p.pk: [c.pk for c in courses] for p, courses in home.context["programs"]}
    assert listed == {program.pk: [course.pk], classroom.pk: [classroom_course.pk]}


@pytest.mark.parametrize("page_name", ["course", "lesson"])
def test_it_sends_anonymous_users_to_the_login_page(client, course, lesson, page_name):
    url = {"course": course, "lesson": lesson}[page_name].url
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == login_redirect_for(url)


@pytest.mark.parametrize("page_name", ["course", "lesson"])
def test_it_shows_course_content_to_logged_in_users(client_for, secretary, course, lesson, page_name):
    page = {"course": course, "lesson": lesson}[page_name]
    response = client_for(secretary).get(page.url)
    assert response.status_code == 200
    assert page.title in response.content.decode()


def test_it_lists_live_lessons_on_the_course_page(client_for, secretary, course, lesson, make_lesson):
    draft = make_lesson("未发布的课时", publish=False)
    content = client_for(secretary).get(course.url).content.decode()
    assert lesson.title in content
    assert draft.title not in content


def test_it_restricts_a_new_course_to_logged_in_users(course, program, home_page):
    restriction = PageViewRestriction.objects.get(page=course)
    assert restriction.restriction_type == PageViewRestriction.LOGIN
    assert not PageViewRestriction.objects.filter(page__in=[program, home_page]).exists()


def test_it_does_not_add_a_second_restriction_on_publish(course):
    course.title = "改名后的课程"
    course.save_revision().publish()
    assert PageViewRestriction.objects.filter(page=course).count() == 1


def test_it_keeps_the_restriction_of_a_copied_course(course, program):
    copy = course.copy(update_attrs={"slug": "copy", "title": "复制的课程"}, to=program)
    assert PageViewRestriction.objects.filter(page=copy, restriction_type=PageViewRestriction.LOGIN).exists()


def test_it_lets_editors_lift_the_restriction(client, course):
    PageViewRestriction.objects.filter(page=course).delete()
    assert client.get(course.url).status_code == 200

