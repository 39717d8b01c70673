"""Person and Organization: validation and the small domain helpers."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from lms.people.models import NEWLY_APPOINTED_DAYS, Organization, OrgType, Person

pytestmark = pytest.mark.django_db

PHONE_MESSAGE = "Enter an 11-digit mobile number starting with 1."


def errors_in_chinese(person):
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as raised:
            person.full_clean()
        return raised.value.message_dict


@pytest.mark.parametrize("phone", ["1380000000", "138000000001", "23800000000", "1380000000a", "+8613800000"])
def test_it_rejects_a_malformed_phone_with_a_chinese_message(secretary, phone):
    secretary.phone = phone
    errors = errors_in_chinese(secretary)
    with translation.override("zh-hans"):
        expected = translation.gettext(PHONE_MESSAGE)
    assert expected in errors["phone"]
    assert expected != PHONE_MESSAGE, "the phone validation message is not translated"
    assert "手机" in expected


def test_it_accepts_a_valid_phone(secretary):
    secretary.phone = "19912345678"
    secretary.full_clean()


def test_it_keeps_phones_unique(secretary, org_tree):
    user = Person.create_account("19900000001", "x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(user=user, name="重号", phone=secretary.phone, organization=org_tree["community_a"])


def test_it_rejects_an_appointment_date_in_the_future(secretary):
    secretary.appointed_on = timezone.localdate() + datetime.timedelta(days=1)
    errors = errors_in_chinese(secretary)
    assert list(errors) == ["appointed_on"]


def test_it_accepts_an_appointment_date_of_today(secretary):
    secretary.appointed_on = timezone.localdate()
    secretary.full_clean()


@pytest.mark.parametrize(
    "days_ago, expected",
    [(0, True), (100, True), (NEWLY_APPOINTED_DAYS, True), (NEWLY_APPOINTED_DAYS + 1, False), (1000, False)],
)
def test_it_knows_who_is_newly_appointed(secretary, days_ago, expected):
    secretary.appointed_on = timezone.localdate() - datetime.timedelta(days=days_ago)
    assert secretary.is_newly_appointed is expected


def test_it_does_not_call_a_person_without_appointment_date_newly_appointed(secretary):
    secretary.appointed_on = None
    assert secretary.is_newly_appointed is False


def test_it_creates_an_account_named_after_the_phone(db):
    user = Person.create_account("13712345678", "secret-pass-1")
    assert user.username == "13712345678"
    assert user.check_password("secret-pass-1")
    assert not Person.create_account("13712345679").has_usable_password()


def test_it_finds_the_nearest_organization_of_a_type(org_tree):
    community = org_tree["community_a"]
    assert community.nearest(OrgType.STREET) == org_tree["street_a"]
    assert community.nearest(OrgType.DISTRICT) == org_tree["district"]
    assert community.nearest(OrgType.COMMUNITY) == community
    assert community.nearest(OrgType.VILLAGE) is None
    assert org_tree["agency"].nearest(OrgType.STREET) is None


def test_it_finds_the_nearest_of_nested_organizations_of_one_type(org_tree):
    # An alliance under another alliance: the closest one wins, not the root-most.
    outer = org_tree["district"].add_child(name="校地联盟", org_type=OrgType.ALLIANCE)
    inner = outer.add_child(name="分联盟", org_type=OrgType.ALLIANCE)
    university = inner.add_child(name="某大学", org_type=OrgType.UNIVERSITY)
    assert university.nearest(OrgType.ALLIANCE) == inner


def test_it_knows_the_street(org_tree):
    assert org_tree["community_b"].street == org_tree["street_b"]
    assert org_tree["street_a"].street == org_tree["street_a"]
    assert org_tree["district"].street is None


def test_it_returns_the_subtree(org_tree):
    assert set(org_tree["street_a"].subtree()) == {org_tree["street_a"], org_tree["community_a"]}
    assert set(org_tree["district"].subtree()) == set(org_tree.values())
    assert set(org_tree["community_b"].subtree()) == {org_tree["community_b"]}


def test_it_does_not_mix_up_subtrees_of_siblings_with_similar_paths(org_tree):
    # Ten and more children: paths like ...0001 and ...0010 must not prefix-match each other.
    district = Organization.objects.get(pk=org_tree["district"].pk)
    streets = [district.add_child(name=f"街道{i:02d}", org_type=OrgType.STREET) for i in range(12)]
    first = Organization.objects.get(pk=streets[0].pk)
    first.add_child(name="社区甲", org_type=OrgType.COMMUNITY)
    first = Organization.objects.get(pk=first.pk)
    assert [o.name for o in first.subtree()] == ["街道00", "社区甲"]


def test_it_finds_persons_in_a_subtree(secretary, other_secretary, street_admin, org_tree):
    assert set(Person.objects.in_subtree(org_tree["street_a"])) == {secretary, street_admin}
    secretary.is_active = False
    secretary.save()
    assert set(Person.objects.in_subtree(org_tree["street_a"]).active()) == {street_admin}
