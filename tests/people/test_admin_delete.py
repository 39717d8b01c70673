"""Deleting a person or organization that other records depend on gives a message, not a 500,
and deletes nothing."""

import pytest

from lms.learning.models import Enrollment
from lms.people.models import Organization, Person

pytestmark = pytest.mark.django_db


def delete_url(model, pk):
    return f"/admin/snippets/people/{model}/delete/{pk}/"


def test_it_refuses_deleting_a_person_with_enrolments(client_for, superuser, secretary, course):
    Enrollment.objects.create(person=secretary, course=course, source="bulk")
    response = client_for(superuser).post(delete_url("person", secretary.pk), follow=True)
    assert response.status_code == 200
    assert Person.objects.filter(pk=secretary.pk).exists()
    assert any("不能删除" in str(m)
               for m in response.context["messages"])


def test_it_refuses_deleting_an_organization_whose_subtree_has_people(client_for, superuser, org_tree, secretary):
    street = org_tree["street_a"]  # the secretary belongs to a community below it
    response = client_for(superuser).post(delete_url("organization", street.pk), follow=True)
    assert response.status_code == 200
    assert Organization.objects.filter(pk=street.pk).exists()
    assert Organization.objects.filter(pk=secretary.organization.pk).exists()


def test_it_still_deletes_a_person_nothing_depends_on(client_for, superuser, make_person, org_tree):
    person = make_person("临时人员", org_tree["community_a"])
    response = client_for(superuser).post(delete_url("person", person.pk))
    assert response.status_code == 302
    assert not Person.objects.filter(pk=person.pk).exists()
