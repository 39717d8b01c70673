"""Enrollment: enrol/withdraw semantics, the one-current-enrolment rule and the self-enrol view."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from courses.models import EnrolmentMode
from lms.learning.models import Enrollment, EnrollmentSource
from lms.people.models import CadreCategory, OrgType

pytestmark = pytest.mark.django_db


def zh(msgid):
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


@pytest.fixture
def self_course(make_course, org_tree):
    """A self-enrolment course for community secretaries of street A."""
    return make_course(
        "自主报名专题", enrolment_mode=EnrolmentMode.SELF, audience_org_types=[OrgType.COMMUNITY],
        audience_categories=[CadreCategory.COMMUNITY_SECRETARY], streets=[org_tree["street_a"]],
    )


def enrol_url(course):
    return reverse("self-enrol", args=[course.pk])


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- the model ----------------------------------------------------------------------------------


def test_it_enrols_once(secretary, course, training_office):
    first, created = Enrollment.enrol(secretary, course, EnrollmentSource.BULK, by=training_office.user)
    assert created
    assert first.enrolled_by == training_office.user
    again, created = Enrollment.enrol(secretary, course, EnrollmentSource.AUDIENCE)
    assert not created
    assert again == first
    assert again.source == EnrollmentSource.BULK
    assert Enrollment.objects.filter(person=secretary, course=course).count() == 1


def test_it_keeps_the_row_on_withdrawal(secretary, course):
    enrollment, _created = Enrollment.enrol(secretary, course, EnrollmentSource.BULK)
    enrollment.withdraw()
    enrollment.refresh_from_db()
    assert enrollment.withdrawn_at is not None
    assert not Enrollment.objects.current().filter(pk=enrollment.pk).exists()
    assert Enrollment.objects.filter(pk=enrollment.pk).exists()


def test_it_does_not_move_the_withdrawal_time(secretary, course):
    enrollment, _created = Enrollment.enrol(secretary, course, EnrollmentSource.BULK)
    enrollment.withdraw()
    first = Enrollment.objects.get(pk=enrollment.pk).withdrawn_at
    enrollment.withdraw()
    assert Enrollment.objects.get(pk=enrollment.pk).withdrawn_at == first


def test_it_makes_a_new_row_when_re_enrolling(secretary, course):
    old, _created = Enrollment.enrol(secretary, course, EnrollmentSource.BULK)
    old.withdraw()
    new, created = Enrollment.enrol(secretary, course, EnrollmentSource.BULK)
    assert created
    assert new.pk != old.pk
    assert Enrollment.objects.filter(person=secretary, course=course).count() == 2
    assert list(Enrollment.objects.current().filter(person=secretary, course=course)) == [new]


def test_it_allows_only_one_current_enrolment_per_person_and_course(secretary, course):
    Enrollment.objects.create(person=secretary, course=course, source=EnrollmentSource.BULK)
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrollment.objects.create(person=secretary, course=course, source=EnrollmentSource.IMPORT)


def test_it_returns_the_winner_when_a_concurrent_request_enrolled_first(secretary, course, monkeypatch):
    """A double tap: the second request's existence check ran before the first one committed."""
    winner = Enrollment.objects.create(person=secretary, course=course, source=EnrollmentSource.BULK)
    original_current = type(Enrollment.objects.current())
    calls = []

    def current_that_misses_once(self):
        queryset = self.filter(withdrawn_at__isnull=True)
        if not calls:
            calls.append(1)
            return queryset.none()
        return queryset

    monkeypatch.setattr(original_current, "current", current_that_misses_once)
    enrollment, created = Enrollment.enrol(secretary, course, EnrollmentSource.SELF)
    assert (enrollment, created) == (winner, False)
    assert Enrollment.objects.filter(person=secretary, course=course).count() == 1


def test_it_allows_many_withdrawn_enrolments(secretary, course):
    from django.utils import timezone

    for _ in range(3):
        Enrollment.objects.create(person=secretary, course=course, source=EnrollmentSource.BULK,
                                  withdrawn_at=timezone.now())
    Enrollment.objects.create(person=secretary, course=course, source=EnrollmentSource.BULK)
    assert Enrollment.objects.filter(person=secretary, course=course).count() == 4


def test_it_refuses_self_enrolment_outside_the_audience(other_secretary, self_course):
    with pytest.raises(ValidationError):
        Enrollment.enrol(other_secretary, self_course, EnrollmentSource.SELF)
    assert not Enrollment.objects.exists()


def test_it_lets_the_training_office_enrol_outside_the_audience(other_secretary, self_course):
    _enrollment, created = Enrollment.enrol(other_secretary, self_course, EnrollmentSource.BULK)
    assert created


# --- the self-enrol view --------------------------------------------------------------------------


def test_it_enrols_a_learner_in_the_audience(client_for, secretary, self_course):
    response = client_for(secretary).post(enrol_url(self_course), follow=True)
    assert response.redirect_chain == [(self_course.url, 302)]
    enrollment = Enrollment.objects.current().get(person=secretary, course=self_course)
    assert enrollment.source == EnrollmentSource.SELF
    assert enrollment.enrolled_by == secretary.user
    assert zh("You are enrolled in this course.") in messages_of(response)
    assert response.context["enrollment"] == enrollment


def test_it_offers_the_enrol_button_only_when_it_would_work(client_for, secretary, other_secretary, self_course):
    assert client_for(secretary).get(self_course.url).context["can_self_enrol"]
    assert not client_for(other_secretary).get(self_course.url).context["can_self_enrol"]
    Enrollment.enrol(secretary, self_course, EnrollmentSource.SELF)
    assert not client_for(secretary).get(self_course.url).context["can_self_enrol"]


def test_it_does_not_enrol_twice(client_for, secretary, self_course):
    client = client_for(secretary)
    client.post(enrol_url(self_course))
    client.post(enrol_url(self_course))
    assert Enrollment.objects.filter(person=secretary, course=self_course).count() == 1


def test_it_refuses_an_assigned_course(client_for, secretary, course):
    assert course.enrolment_mode == EnrolmentMode.ASSIGNED
    assert course.audience_includes(secretary)
    response = client_for(secretary).post(enrol_url(course), follow=True)
    assert response.redirect_chain == [(course.url, 302)]
    assert zh("This course does not take self-enrolment.") in messages_of(response)
    assert not Enrollment.objects.exists()


def test_it_refuses_a_person_outside_the_audience(client_for, other_secretary, self_course):
    response = client_for(other_secretary).post(enrol_url(self_course), follow=True)
    assert response.status_code == 200
    assert zh("This course is not open to you.") in messages_of(response)
    assert not Enrollment.objects.exists()


def test_it_refuses_a_user_without_a_person(client_for, superuser, self_course):
    superuser.person.delete()
    superuser.refresh_from_db()
    response = client_for(superuser).post(enrol_url(self_course))
    assert response.status_code == 302
    assert not Enrollment.objects.exists()


def test_it_accepts_only_post(client_for, secretary, self_course):
    assert client_for(secretary).get(enrol_url(self_course)).status_code == 405
    assert not Enrollment.objects.exists()


def test_it_needs_a_csrf_token(client_for, secretary, self_course):
    client = client_for(secretary, enforce_csrf_checks=True)
    assert client.post(enrol_url(self_course)).status_code == 403
    assert not Enrollment.objects.exists()
    page = client.get(self_course.url)
    token = page.context["csrf_token"]
    assert client.post(enrol_url(self_course), {"csrfmiddlewaretoken": str(token)}).status_code == 302
    assert Enrollment.objects.filter(person=secretary).exists()


def test_it_sends_anonymous_users_to_the_login_page(client, self_course):
    response = client.post(enrol_url(self_course))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")
    assert not Enrollment.objects.exists()


def test_it_404s_for_an_unpublished_course(client_for, secretary, self_course):
    self_course.unpublish()
    assert client_for(secretary).post(enrol_url(self_course)).status_code == 404


def test_it_404s_for_a_page_that_is_not_a_course(client_for, secretary, program, lesson):
    for page in (program, lesson):
        assert client_for(secretary).post(enrol_url(page)).status_code == 404
