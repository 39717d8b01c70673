"""Rotation records: dates, overlaps and host organization types are validated with clear messages."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from lms.people.models import OrgType
from lms.rotations.models import Direction, Evaluation, Rotation, Status

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def village(org_tree):
    return org_tree["street_a"].add_child(name="东湖村", org_type=OrgType.VILLAGE, code="V-A")


def rotation(person, host, start=D(2026, 3, 1), end=D(2026, 8, 31), direction=Direction.SECONDMENT, **fields):
    return Rotation(person=person, direction=direction, host_organization=host, starts_on=start, ends_on=end,
                    **fields)


def messages(excinfo):
    return {key: " ".join(values) for key, values in excinfo.value.message_dict.items()}


def test_it_accepts_an_upward_secondment_and_fills_the_home_organization(secretary, org_tree):
    record = rotation(secretary, org_tree["agency"], post_held="组织员", mentor="王部长")
    record.full_clean()
    record.save()
    assert record.home_organization == org_tree["community_a"]
    assert record.is_upward


def test_it_accepts_a_downward_dispatch_to_a_community_or_village(trainer, org_tree, village):
    rotation(trainer, org_tree["community_b"], direction=Direction.DISPATCH).full_clean()
    rotation(trainer, village, direction=Direction.DISPATCH).full_clean()


def test_it_rejects_an_end_before_the_start(secretary, org_tree):
    with pytest.raises(ValidationError) as excinfo:
        rotation(secretary, org_tree["agency"], start=D(2026, 5, 1), end=D(2026, 4, 30)).full_clean()
    assert "结束日期不能早于开始日期" in messages(excinfo)["ends_on"]


def test_it_accepts_a_one_day_rotation(secretary, org_tree):
    rotation(secretary, org_tree["agency"], start=D(2026, 5, 1), end=D(2026, 5, 1)).full_clean()


@pytest.mark.parametrize("start, end", [
    (D(2026, 8, 31), D(2026, 12, 31)),  # shares the last day
    (D(2026, 1, 1), D(2026, 3, 1)),  # shares the first day
    (D(2026, 4, 1), D(2026, 5, 1)),  # inside
    (D(2025, 1, 1), D(2027, 1, 1)),  # around
])
def test_it_rejects_overlapping_rotations_of_the_same_person(secretary, org_tree, start, end):
    rotation(secretary, org_tree["agency"]).save()
    with pytest.raises(ValidationError) as excinfo:
        rotation(secretary, org_tree["agency"], start=start, end=end, direction=Direction.SHADOWING).full_clean()
    assert "2026-03-01" in messages(excinfo)["starts_on"] and "重叠" in messages(excinfo)["starts_on"]
    with pytest.raises(ValidationError):  # the model refuses even without full_clean
        rotation(secretary, org_tree["agency"], start=start, end=end).save()
    assert Rotation.objects.count() == 1


def test_it_allows_consecutive_rotations_and_other_persons(secretary, other_secretary, org_tree):
    first = rotation(secretary, org_tree["agency"])
    first.save()
    rotation(secretary, org_tree["agency"], start=D(2026, 9, 1), end=D(2026, 12, 31)).full_clean()
    rotation(other_secretary, org_tree["agency"]).full_clean()
    first.mentor = "改了导师"
    first.full_clean()  # a record does not overlap itself
    first.save()


@pytest.mark.parametrize("direction, host, field_message", [
    (Direction.SECONDMENT, "community_b", "机关部门"),
    (Direction.SHADOWING, "street_b", "机关部门"),
    (Direction.DISPATCH, "agency", "社区或村"),
    (Direction.DISPATCH, "street_a", "社区或村"),
])
def test_it_rejects_a_host_organization_of_the_wrong_type(hr, org_tree, direction, host, field_message):
    with pytest.raises(ValidationError) as excinfo:
        rotation(hr, org_tree[host], direction=direction).full_clean()
    assert field_message in messages(excinfo)["host_organization"]


def test_it_rejects_a_final_evaluation_on_a_planned_rotation(secretary, org_tree):
    record = rotation(secretary, org_tree["agency"], final_evaluation=Evaluation.EXCELLENT, status=Status.PLANNED)
    with pytest.raises(ValidationError) as excinfo:
        record.full_clean()
    assert "final_evaluation" in excinfo.value.message_dict
    record.status = Status.FINISHED
    record.full_clean()


def test_it_labels_evaluations_in_chinese():
    assert [str(label) for label in Evaluation.labels] == ["优秀", "称职", "基本称职", "不称职"]
    assert [str(label) for label in Status.labels] == ["计划中", "进行中", "已结束", "已终止"]
