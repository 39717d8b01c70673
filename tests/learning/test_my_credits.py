"""我的学时: a learner's own 学时 ledger by year, and the totals on 我的学习."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from lms.learning import progress
from lms.learning.models import CreditEntry, CreditRule, Delivery, Enrollment, EnrollmentSource

pytestmark = pytest.mark.django_db

URL = reverse("my-credits")


def add_entry(person, year, hours, key, delivery=Delivery.IN_PERSON):
    return CreditEntry.objects.create(
        person=person, year=year, source_key=key, source_title=f"来源{key}", delivery=delivery, hours=Decimal(hours),
        rule=CreditRule.MANUAL, earned_at=datetime.datetime(year, 6, 1, tzinfo=datetime.UTC))


def test_it_sends_anonymous_users_to_log_in(client):
    assert client.get(URL)["Location"] == f"/login/?next={URL}"


def test_it_is_404_for_an_account_without_a_person(client):
    client.force_login(get_user_model().objects.create_user(username="no-person", password="x-long-password"))
    assert client.get(URL).status_code == 404


def test_it_shows_only_the_viewers_entries_of_the_year(client_for, secretary, other_secretary):
    this_year = timezone.localdate().year
    add_entry(secretary, this_year, "6", "mine")
    add_entry(secretary, this_year - 1, "3", "last-year")
    add_entry(other_secretary, this_year, "9", "theirs")
    response = client_for(secretary).get(URL)
    assert [e.source_key for e in response.context["entries"]] == ["mine"]
    assert response.context["standing"].earned == Decimal("6")
    assert response.context["years"] == [this_year, this_year - 1]
    content = response.content.decode()
    assert "来源mine" in content and "来源theirs" not in content and "我的学时" in content
    earlier = client_for(secretary).get(URL, {"year": this_year - 1})
    assert [e.source_key for e in earlier.context["entries"]] == ["last-year"]


@pytest.mark.parametrize("year", ["abc", "1999", "-1", "99999999999999999999"])
def test_it_falls_back_to_this_year_on_a_bad_year(client_for, secretary, year):
    response = client_for(secretary).get(URL, {"year": year})
    assert response.status_code == 200 and response.context["year"] == timezone.localdate().year


def test_my_learning_shows_this_years_totals(client_for, secretary, course, make_lesson):
    Enrollment.enrol(secretary, course, EnrollmentSource.BULK)
    progress.record(secretary, make_lesson("一", estimated_minutes=45))
    add_entry(secretary, timezone.localdate().year, "6", "day")
    response = client_for(secretary).get(reverse("my-learning"))
    standing = response.context["standing"]
    assert (standing.earned, standing.online, standing.in_person) == (Decimal("7"), Decimal("1"), Decimal("6"))
    assert 'data-credit-total="7' in response.content.decode()
    assert "data-plan-status" not in response.content.decode()  # no plan this year: totals only


def test_my_learning_shows_the_plan_requirement_once_there_is_one(client_for, secretary):
    from lms.learning.models import AnnualPlan, PlanRequirement

    plan = AnnualPlan.objects.create(year=timezone.localdate().year)
    PlanRequirement.objects.create(plan=plan, cadre_category=secretary.cadre_category, total_hours=Decimal("56"),
                                   online_hours=Decimal("10"))
    add_entry(secretary, plan.year, "14", "online", delivery=Delivery.ONLINE)
    content = client_for(secretary).get(reverse("my-learning")).content.decode()
    assert 'data-plan-status="in_progress"' in content
    assert "已计 14 / 要求 56 学时" in content
    assert '<li class="met">线上 <strong>14/10</strong></li>' in content


def test_the_course_page_shows_requirements_and_hours_earned(client_for, secretary, course, make_lesson):
    Enrollment.enrol(secretary, course, EnrollmentSource.BULK)
    first = make_lesson("一", estimated_minutes=45)
    make_lesson("二")
    progress.record(secretary, first)
    response = client_for(secretary).get(course.url)
    content = response.content.decode()
    assert response.context["course_hours"] == Decimal("1")
    assert "本课程已获 1 学时" in content
    assert 'data-percent="50"' in content


def test_my_learning_links_to_the_ledger_sessions_and_archive(client_for, secretary):
    content = client_for(secretary).get(reverse("my-learning")).content.decode()
    for name in ("my-credits", "my-sessions", "my-archive"):
        assert f'href="{reverse(name)}"' in content
