"""people.scoping: who sees which persons and organizations."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Group

from lms.people import roles
from lms.people.scoping import can_see_person, scope_root, visible_organizations, visible_persons

pytestmark = pytest.mark.django_db


@pytest.fixture
def everyone(secretary, other_secretary, trainer, training_office, hr, street_admin, superuser):
    return {
        "secretary": secretary, "other_secretary": other_secretary, "trainer": trainer,
        "training_office": training_office, "hr": hr, "street_admin": street_admin,
        "superuser": superuser.person,
    }


def names(queryset):
    return set(queryset.values_list("name", flat=True))


def test_it_limits_a_street_admin_to_their_street(everyone, street_admin, org_tree):
    assert names(visible_persons(street_admin.user)) == {"张书记", "孙主任"}
    assert names(visible_organizations(street_admin.user)) == {"东湖街道", "东湖社区"}
    assert scope_root(street_admin.user) == org_tree["street_a"]
    assert not can_see_person(street_admin.user, everyone["other_secretary"])
    assert can_see_person(street_admin.user, everyone["secretary"])


@pytest.mark.parametrize("persona", ["training_office", "hr"])
def test_it_gives_district_staff_the_whole_district(everyone, persona, org_tree):
    user = everyone[persona].user
    all_persons = {p.name for p in everyone.values()}
    assert names(visible_persons(user)) == all_persons
    assert names(visible_organizations(user)) == {"示范区", "东湖街道", "西山街道", "区委组织部", "东湖社区", "西山社区"}


def test_it_does_not_reach_beyond_the_district(everyone, training_office, make_person):
    from lms.people.models import Organization, OrgType

    # Organization roots are ordered by name, so adding one may move the district's path:
    # load the user afresh, as a request would.
    elsewhere = Organization.add_root(name="另一个区", org_type=OrgType.DISTRICT)
    stranger = make_person("外区人员", elsewhere)
    user = get_user_model().objects.get(pk=training_office.user.pk)
    assert not can_see_person(user, stranger)
    assert elsewhere not in visible_organizations(user)
    assert can_see_person(user, everyone["other_secretary"])


@pytest.mark.parametrize("persona", ["secretary", "trainer"])
def test_it_shows_non_staff_only_themselves(everyone, persona):
    person = everyone[persona]
    assert list(visible_persons(person.user)) == [person]
    assert not visible_organizations(person.user).exists()
    assert scope_root(person.user) is None


def test_it_shows_anonymous_users_nothing(everyone):
    anonymous = AnonymousUser()
    assert not visible_persons(anonymous).exists()
    assert not visible_organizations(anonymous).exists()
    assert scope_root(anonymous) is None


def test_it_shows_an_inactive_staff_person_nothing_beyond_themselves(everyone, hr):
    hr.is_active = False
    hr.save()
    assert scope_root(hr.user) is None
    assert list(visible_persons(hr.user)) == [hr]
    assert not visible_organizations(hr.user).exists()


def test_it_scopes_staff_to_their_own_organization(everyone, secretary):
    # A community member who becomes a street admin sees their community, not the street.
    assert scope_root(secretary.user) is None
    secretary.user.groups.add(Group.objects.get(name=roles.STREET_ADMIN))
    assert names(visible_persons(secretary.user)) == {"张书记"}  # scope = community A: just them


def test_it_shows_superusers_everything(everyone, superuser):
    from lms.people.models import Organization, Person

    assert visible_persons(superuser).count() == Person.objects.count() == len(everyone)
    assert visible_organizations(superuser).count() == Organization.objects.count()


def test_it_gives_staff_without_a_person_no_scope(db, org_tree):
    user = get_user_model().objects.create_user("loose-staff", password="x")
    user.groups.add(Group.objects.get(name=roles.HR))
    assert scope_root(user) is None
    assert not visible_persons(user).exists()
    assert not visible_organizations(user).exists()
