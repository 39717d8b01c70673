"""People and organizations in the Wagtail admin: listings, object views and forms stay inside the
viewer's organization subtree (a guessed id outside it is a 404, not the record)."""

import pytest
from django.urls import reverse

from lms.people import roles
from lms.people.models import Person

pytestmark = pytest.mark.django_db

PERSON_LIST = "wagtailsnippets_people_person:list"
ORG_LIST = "wagtailsnippets_people_organization:list"


def person_url(view, person):
    return reverse(f"wagtailsnippets_people_person:{view}", args=[person.pk])


def person_form_data(person=None, **changes):
    data = {
        "name": "", "phone": "", "staff_number": "", "organization": "", "post": "party_member",
        "cadre_category": "party_member", "level": "none", "appointed_on": "", "is_active": "on",
    }
    if person is not None:
        data.update(
            name=person.name, phone=person.phone, staff_number=person.staff_number or "",
            organization=person.organization_id, post=person.post, cadre_category=person.cadre_category,
            level=person.level, appointed_on=person.appointed_on or "",
        )
    data.update(changes)
    return data


@pytest.fixture
def street_hr(org_tree, make_person):
    """HR staff of street A: may edit persons, but only in street A."""
    return make_person("周干事", org_tree["street_a"], groups=[roles.HR], username="street-a-hr")


def test_it_lists_only_the_street_admins_street(client_for, street_admin, secretary, other_secretary, hr):
    response = client_for(street_admin).get(reverse(PERSON_LIST))
    assert response.status_code == 200
    content = response.content.decode()
    assert secretary.name in content
    assert street_admin.name in content
    assert other_secretary.name not in content
    assert hr.name not in content  # district staff sit above the street


def test_it_lists_the_whole_district_for_hr(client_for, hr, secretary, other_secretary, street_admin):
    content = client_for(hr).get(reverse(PERSON_LIST)).content.decode()
    for person in (secretary, other_secretary, street_admin, hr):
        assert person.name in content


@pytest.mark.parametrize("view", ["inspect", "edit", "delete", "history", "usage"])
def test_it_404s_another_streets_person_for_the_street_admin(client_for, street_admin, other_secretary, view):
    response = client_for(street_admin).get(person_url(view, other_secretary))
    assert response.status_code == 404


def test_it_lets_the_street_admin_inspect_their_own_streets_person(client_for, street_admin, secretary):
    response = client_for(street_admin).get(person_url("inspect", secretary))
    assert response.status_code == 200
    assert secretary.phone in response.content.decode()


def test_it_does_not_let_the_street_admin_edit(client_for, street_admin, secretary):
    response = client_for(street_admin).post(person_url("edit", secretary), person_form_data(secretary, name="改名"))
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")  # Wagtail's "permission denied"
    secretary.refresh_from_db()
    assert secretary.name == "张书记"


def test_it_404s_another_streets_person_on_edit_for_street_hr(client_for, street_hr, secretary, other_secretary):
    client = client_for(street_hr)
    assert client.get(person_url("edit", secretary)).status_code == 200
    assert client.get(person_url("edit", other_secretary)).status_code == 404
    response = client.post(person_url("edit", other_secretary), person_form_data(other_secretary, name="改名"))
    assert response.status_code == 404
    other_secretary.refresh_from_db()
    assert other_secretary.name == "李书记"


def test_it_lets_hr_edit_a_person_in_scope(client_for, hr, other_secretary):
    response = client_for(hr).post(
        person_url("edit", other_secretary), person_form_data(other_secretary, name="李新书记", post="deputy_secretary")
    )
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    other_secretary.refresh_from_db()
    assert other_secretary.name == "李新书记"
    assert other_secretary.post == "deputy_secretary"


def test_it_sends_a_secretary_at_the_admin_to_the_admin_login(client_for, secretary):
    response = client_for(secretary).get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))


def test_it_does_not_show_people_to_a_trainer(client_for, trainer, secretary):
    client = client_for(trainer)
    assert client.get("/admin/").status_code == 200  # trainers edit content in the admin
    response = client.get(reverse(PERSON_LIST))
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")
    assert client.get(person_url("inspect", secretary)).status_code == 404  # not in their scope


def test_it_sends_anonymous_users_to_the_admin_login(client, secretary):
    response = client.get(person_url("inspect", secretary))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))


def test_it_lets_hr_create_a_person_with_an_account(client_for, hr, org_tree):
    response = client_for(hr).post(
        reverse("wagtailsnippets_people_person:add"),
        person_form_data(name="新书记", phone="13912345678", organization=org_tree["community_b"].pk,
                         post="secretary", cadre_category="community_secretary", appointed_on="2026-01-05"),
    )
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    person = Person.objects.get(phone="13912345678")
    assert person.name == "新书记"
    assert person.organization == org_tree["community_b"]
    assert person.user.username == "13912345678"
    assert not person.user.has_usable_password()  # the training office sets the first password


def test_it_rejects_an_invalid_phone_in_the_admin_form(client_for, hr, org_tree):
    response = client_for(hr).post(
        reverse("wagtailsnippets_people_person:add"),
        person_form_data(name="新书记", phone="23912345678", organization=org_tree["community_a"].pk),
    )
    assert response.status_code == 200
    assert "phone" in response.context["form"].errors
    assert not Person.objects.filter(name="新书记").exists()


def test_it_limits_organization_choices_to_the_scope(client_for, street_hr, hr, org_tree):
    form = client_for(street_hr).get(reverse("wagtailsnippets_people_person:add")).context["form"]
    assert set(form.fields["organization"].queryset) == {org_tree["street_a"], org_tree["community_a"]}
    form = client_for(hr).get(reverse("wagtailsnippets_people_person:add")).context["form"]
    assert set(form.fields["organization"].queryset) == set(org_tree.values())


def test_it_refuses_an_organization_outside_the_scope(client_for, street_hr, org_tree):
    response = client_for(street_hr).post(
        reverse("wagtailsnippets_people_person:add"),
        person_form_data(name="越权", phone="13912340000", organization=org_tree["community_b"].pk),
    )
    assert response.status_code == 200
    assert "organization" in response.context["form"].errors
    assert not Person.objects.filter(phone="13912340000").exists()


def test_it_scopes_the_person_chooser(client_for, street_admin, secretary, other_secretary):
    client = client_for(street_admin)
    results = client.get(reverse("wagtailsnippetchoosers_people_person:choose_results")).content.decode()
    assert secretary.name in results
    assert other_secretary.name not in results
    chosen = reverse("wagtailsnippetchoosers_people_person:chosen", args=[other_secretary.pk])
    assert client.get(chosen).status_code == 404
    chosen = reverse("wagtailsnippetchoosers_people_person:chosen", args=[secretary.pk])
    assert client.get(chosen).status_code == 200


def test_it_scopes_the_organization_listing_and_views(client_for, street_admin, org_tree):
    client = client_for(street_admin)
    content = client.get(reverse(ORG_LIST)).content.decode()
    assert "东湖社区" in content
    assert "西山社区" not in content
    assert "示范区" not in content
    inspect = "wagtailsnippets_people_organization:inspect"
    assert client.get(reverse(inspect, args=[org_tree["community_b"].pk])).status_code == 404
    assert client.get(reverse(inspect, args=[org_tree["community_a"].pk])).status_code == 200
