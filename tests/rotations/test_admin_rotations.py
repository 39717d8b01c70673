"""Rotation records in the Wagtail admin: HR manages those of persons in scope; attributable."""

import datetime

import pytest
from django.urls import reverse

from lms.people import roles
from lms.rotations.models import Direction, Rotation, Status

pytestmark = pytest.mark.django_db

LIST = "wagtailsnippets_rotations_rotation:list"
ADD = "wagtailsnippets_rotations_rotation:add"


def url(view, rotation):
    return reverse(f"wagtailsnippets_rotations_rotation:{view}", args=[rotation.pk])


@pytest.fixture
def street_hr(org_tree, make_person):
    return make_person("周干事", org_tree["street_a"], groups=[roles.HR], username="street-a-hr")


@pytest.fixture
def rotation_a(secretary, org_tree):
    record = Rotation(person=secretary, direction=Direction.SECONDMENT, host_organization=org_tree["agency"],
                      starts_on=datetime.date(2026, 3, 1), ends_on=datetime.date(2026, 8, 31), post_held="组织员")
    record.save()
    return record


@pytest.fixture
def rotation_b(other_secretary, org_tree):
    record = Rotation(person=other_secretary, direction=Direction.SHADOWING, host_organization=org_tree["agency"],
                      starts_on=datetime.date(2026, 3, 1), ends_on=datetime.date(2026, 6, 30))
    record.save()
    return record


def form_data(person, host, **changes):
    data = {
        "person": person.pk, "direction": Direction.SECONDMENT, "home_organization": "",
        "host_organization": host.pk, "post_held": "组织员", "starts_on": "2026-03-01", "ends_on": "2026-08-31",
        "mentor": "王部长", "goals": "熟悉组织工作", "status": Status.PLANNED, "midterm_evaluation": "",
        "midterm_comments": "", "final_evaluation": "", "final_comments": "",
    }
    data.update(changes)
    return data


def test_it_lets_hr_record_a_rotation_and_records_who(client_for, hr, secretary, org_tree):
    response = client_for(hr).post(reverse(ADD), form_data(secretary, org_tree["agency"]))
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    record = Rotation.objects.get()
    assert record.person == secretary and record.home_organization == org_tree["community_a"]
    assert record.recorded_by == hr.user and record.updated_by == hr.user
    assert record.revisions.count() == 1


def test_it_records_who_changed_a_rotation_and_keeps_the_old_version(client_for, hr, superuser, rotation_a,
                                                                     org_tree):
    response = client_for(superuser).post(url("edit", rotation_a), form_data(
        rotation_a.person, org_tree["agency"], status=Status.IN_PROGRESS, mentor="李部长"))
    assert response.status_code == 302
    rotation_a.refresh_from_db()
    assert rotation_a.updated_by == superuser and rotation_a.mentor == "李部长"
    assert rotation_a.revisions.count() == 1
    history = client_for(superuser).get(url("history", rotation_a))
    assert history.status_code == 200


def test_it_shows_validation_errors_in_the_form(client_for, hr, secretary, org_tree):
    response = client_for(hr).post(reverse(ADD), form_data(
        secretary, org_tree["community_b"], starts_on="2026-05-01", ends_on="2026-04-01"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "结束日期不能早于开始日期" in " ".join(errors["ends_on"])
    assert "机关部门" in " ".join(errors["host_organization"])
    assert not Rotation.objects.exists()


def test_it_lists_only_rotations_in_the_street_hrs_scope(client_for, street_hr, rotation_a, rotation_b):
    response = client_for(street_hr).get(reverse(LIST))
    assert response.status_code == 200
    content = response.content.decode()
    assert "张书记" in content and "李书记" not in content


@pytest.mark.parametrize("view", ["edit", "delete", "inspect", "history", "usage"])
def test_it_404s_another_streets_rotation_for_street_hr(client_for, street_hr, rotation_b, view):
    assert client_for(street_hr).get(url(view, rotation_b)).status_code == 404


def test_it_404s_revision_views_outside_the_scope(client_for, street_hr, superuser, rotation_b, org_tree):
    client_for(superuser).post(url("edit", rotation_b), form_data(
        rotation_b.person, org_tree["agency"], direction=Direction.SHADOWING, ends_on="2026-06-30"))
    revision = rotation_b.revisions.get()
    client = client_for(street_hr)
    compare = reverse("wagtailsnippets_rotations_rotation:revisions_compare", args=[rotation_b.pk, "earliest", revision.pk])
    revert = reverse("wagtailsnippets_rotations_rotation:revisions_revert", args=[rotation_b.pk, revision.pk])
    assert client.get(compare).status_code == 404
    assert client.get(revert).status_code == 404


def test_it_refuses_street_hr_a_person_of_another_street(client_for, street_hr, other_secretary, org_tree):
    response = client_for(street_hr).post(reverse(ADD), form_data(other_secretary, org_tree["agency"]))
    assert response.status_code == 200
    assert "person" in response.context["form"].errors
    assert not Rotation.objects.exists()


def test_it_lets_street_hr_dispatch_into_a_host_outside_the_street(client_for, street_hr, secretary, org_tree):
    response = client_for(street_hr).post(reverse(ADD), form_data(secretary, org_tree["agency"]))
    assert response.status_code == 302
    assert Rotation.objects.get().host_organization == org_tree["agency"]


@pytest.mark.parametrize("persona", ["street_admin", "training_office", "trainer"])
def test_it_refuses_staff_without_the_hr_role(client_for, request, persona, rotation_a, secretary, org_tree):
    client = client_for(request.getfixturevalue(persona))
    response = client.get(reverse(LIST))
    assert response.status_code in (302, 403)
    assert "组织员" not in response.content.decode()
    assert client.get(url("edit", rotation_a)).status_code in (302, 403, 404)
    client.post(reverse(ADD), form_data(secretary, org_tree["agency"], starts_on="2027-01-01",
                                        ends_on="2027-02-01"))
    assert Rotation.objects.count() == 1


def test_it_keeps_learners_out(client_for, secretary, rotation_a):
    response = client_for(secretary).get(reverse(LIST))
    assert response.status_code == 302
    assert reverse("wagtailadmin_login") in response["Location"]


def test_it_does_not_let_hr_delete_records(client_for, hr, rotation_a):
    client_for(hr).post(url("delete", rotation_a))
    assert Rotation.objects.filter(pk=rotation_a.pk).exists()


def test_it_shows_hr_the_record_and_a_link_to_its_form(client_for, street_hr, rotation_a):
    client = client_for(street_hr)
    assert client.get(url("inspect", rotation_a)).status_code == 200
    listing = client.get(reverse(LIST)).content.decode()
    assert reverse("rotation-record-pdf", args=[rotation_a.pk]) in listing


def test_it_shows_hr_the_add_and_edit_forms(client_for, hr, rotation_a):
    client = client_for(hr)
    add = client.get(reverse(ADD))
    assert add.status_code == 200
    assert "区委组织部" in add.content.decode()  # host choices: agency departments, communities, villages
    assert client.get(url("edit", rotation_a)).status_code == 200
