import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from courses.models import CoursePage
from lms.demo import scale
from lms.learning.models import Enrollment, EnrollmentSource
from lms.people import roles
from lms.people.models import CadreCategory, Organization, OrgType, Person, Post

pytestmark = pytest.mark.django_db

User = get_user_model()


def generate(*args):
    out = io.StringIO()
    call_command("generate_scale_data", *args, stdout=out)
    return out.getvalue()


def scale_persons():
    return Person.objects.filter(user__username__startswith="scale-")


def assert_valid_tree():
    assert Organization.find_problems() == ([], [], [], [], [])
    for node in Organization.objects.filter(code__startswith="SCALE-"):
        assert node.numchild == node.get_children().count()


def test_it_generates_exactly_n_persons_in_a_valid_province():
    output = generate("--people", "500")

    assert "Generated 500 persons" in output and " s." in output
    persons = scale_persons()
    assert persons.count() == Person.objects.count() == 500
    assert sorted(persons.values_list("user__username", flat=True)) == [f"scale-{i:06d}" for i in range(1, 501)]
    assert all(phone.startswith("150") and len(phone) == 11 for phone in persons.values_list("phone", flat=True))
    assert User.objects.filter(username__startswith="scale-", groups__name=roles.LEARNER).count() == 500
    assert len(set(User.objects.values_list("password", flat=True))) == 1  # one shared hash
    assert User.objects.get(username="scale-000001").check_password("touyan-demo")

    assert_valid_tree()
    root = Organization.objects.get(code="SCALE-P")
    assert root.org_type == OrgType.PROVINCE and root.is_root()
    shape = [OrgType.PROVINCE, OrgType.CITY, OrgType.DISTRICT, OrgType.STREET]
    communities = Organization.objects.filter(code__startswith="SCALE-", org_type__in=[OrgType.COMMUNITY,
                                                                                       OrgType.VILLAGE])
    assert communities.count() == 2  # 300 persons per community
    for community in communities:
        assert [a.org_type for a in community.get_ancestors()] == shape
        assert community.persons.filter(post=Post.SECRETARY).count() == 1
    assert not Organization.objects.exclude(code__startswith="SCALE-").exists()

    # Enrolments in the demo courses, which the command creates when they are missing.
    assert CoursePage.objects.live().count() >= 5
    secretaries = persons.filter(cadre_category__in=[CadreCategory.COMMUNITY_SECRETARY,
                                                     CadreCategory.VILLAGE_SECRETARY])
    assert secretaries.count() == 2
    for secretary in secretaries:
        assert Enrollment.objects.filter(person=secretary).count() >= 5
    member = persons.filter(cadre_category=CadreCategory.PARTY_MEMBER).first()
    sources = set(Enrollment.objects.filter(person=member).values_list("source", flat=True))
    assert sources == {EnrollmentSource.AUDIENCE, EnrollmentSource.SELF}


def test_it_does_not_duplicate_and_replaces_only_with_reset():
    generate("--people", "400")
    counts = (Person.objects.count(), User.objects.count(), Organization.objects.count(), Enrollment.objects.count(),
              CoursePage.objects.count())

    assert "nothing to do" in generate("--people", "400")
    assert counts == (Person.objects.count(), User.objects.count(), Organization.objects.count(),
                      Enrollment.objects.count(), CoursePage.objects.count())

    with pytest.raises(CommandError, match="--reset"):
        generate("--people", "700")

    output = generate("--people", "700", "--reset")
    assert "Removed the previous scale data (400 persons)" in output
    assert scale_persons().count() == Person.objects.count() == 700
    assert Organization.objects.filter(code__startswith="SCALE-", org_type=OrgType.PROVINCE).count() == 1
    assert Organization.objects.filter(code__startswith="SCALE-").count() == len(scale.tree_rows(
        scale.plan_tree(700)[0], "0001"))
    assert not Enrollment.objects.exclude(person__in=Person.objects.all()).exists()
    assert_valid_tree()


def test_it_sits_beside_the_demo_district_without_touching_it():
    call_command("load_demo_data", stdout=io.StringIO())
    demo = (sorted(Organization.objects.values_list("code", "path", "numchild")), Person.objects.count(),
            Enrollment.objects.count())

    generate("--people", "350")

    assert scale_persons().count() == 350
    assert sorted(Organization.objects.exclude(code__startswith="SCALE-")
                  .values_list("code", "path", "numchild")) == demo[0]
    assert Person.objects.count() == demo[1] + 350
    assert_valid_tree()
    generate("--people", "350", "--reset")
    assert Person.objects.count() == demo[1] + 350
    assert Enrollment.objects.filter(person__user__username__startswith="demo-").count() > 0
