import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from wagtail.models import Page, PageLogEntry, PageViewRestriction, ReferenceIndex, Revision

from courses.models import CoursePage, ProgramKind, ProgramPage, ReadingLessonPage
from lms.demo import curriculum, district
from lms.attendance.models import AttendanceRecord, AttendanceStatus, Session
from lms.learning.models import AnnualPlan, CreditEntry, Enrollment, EnrollmentSource, LessonProgress
from lms.people import roles
from lms.people.models import CadreCategory, Organization, OrgType, Person, Post
from lms.people.scoping import visible_persons

pytestmark = pytest.mark.django_db

User = get_user_model()
DEMO_USERNAMES = ["demo-secretary", "demo-trainer", "demo-office", "demo-hr", "demo-street-admin", "admin"]


def load():
    out = io.StringIO()
    call_command("load_demo_data", stdout=out)
    return out.getvalue()


def snapshot():
    """Every row the command touches, in a comparable form."""
    Membership = User.groups.through
    return {
        "organizations": sorted(Organization.objects.values_list("code", "path", "depth", "numchild", "name")),
        "users": sorted(User.objects.values_list("username", "password", "is_superuser")),
        "persons": sorted(Person.objects.values_list(
            "phone", "name", "organization__code", "post", "cadre_category", "level", "appointed_on")),
        "memberships": sorted(Membership.objects.values_list("user__username", "group__name")),
        "groups": Group.objects.count(),
        "pages": sorted(Page.objects.values_list("path", "slug", "live", "latest_revision_id")),
        "revisions": Revision.objects.count(),
        "page_log": PageLogEntry.objects.count(),
        "restrictions": PageViewRestriction.objects.count(),
        "references": ReferenceIndex.objects.count(),
        "enrolments": sorted(Enrollment.objects.values_list("person__phone", "course__slug", "source", "withdrawn_at")),
        "sessions": sorted(Session.objects.values_list("course__slug", "title", "starts_at", "credit_days")),
        "attendance": sorted(AttendanceRecord.objects.values_list("person__phone", "session__title", "status")),
        "progress": sorted(LessonProgress.objects.values_list("person__phone", "lesson__slug", "completed_at")),
        "credits": sorted(CreditEntry.objects.values_list("person__phone", "source_key", "hours")),
        "plans": sorted(AnnualPlan.objects.values_list("year", "title")),
    }


def children(code, org_type=None):
    nodes = Organization.objects.get(code=code).get_children()
    return nodes.filter(org_type=org_type) if org_type else nodes


def test_it_builds_the_demo_district_whose_accounts_log_in_with_the_demo_password():
    output = load()

    assert "touyan-demo" in output
    assert Organization.find_problems() == ([], [], [], [], [])
    district_node = Organization.objects.get(code="QX", org_type=OrgType.DISTRICT, name="栖霞区")
    assert district_node.is_root()
    streets = children("QX", OrgType.STREET)
    assert sorted(streets.values_list("name", flat=True)) == sorted(s[1] for s in district.STREETS)
    communities = Organization.objects.filter(org_type__in=[OrgType.COMMUNITY, OrgType.VILLAGE])
    assert communities.count() == 127
    assert len(set(communities.values_list("name", flat=True))) == 127
    assert all(c.get_parent().org_type == OrgType.STREET for c in communities)
    for street_code in ("QX-BGZ", "QX-LT"):
        kids = children(street_code)
        assert kids.filter(org_type=OrgType.VILLAGE).count() > kids.filter(org_type=OrgType.COMMUNITY).count()
    assert children("QX-ALLIANCE", OrgType.UNIVERSITY).count() == 18
    assert Organization.objects.filter(org_type=OrgType.UNIVERSITY).count() == 18
    assert children("QX-IND-HLW", OrgType.TWO_NEW).count() == 17
    assert Organization.objects.filter(org_type=OrgType.TWO_NEW).count() == 20
    assert {"区委组织部", "区委宣传部", "区民政局", "区人社局"} <= set(
        children("QX", OrgType.AGENCY).values_list("name", flat=True))

    # One secretary per community/village, of the right category; two-new secretaries.
    for community in communities:
        secretaries = Person.objects.filter(organization=community, post=Post.SECRETARY)
        assert secretaries.count() == 1
        expected = (CadreCategory.VILLAGE_SECRETARY if community.org_type == OrgType.VILLAGE
                    else CadreCategory.COMMUNITY_SECRETARY)
        assert secretaries.get().cadre_category == expected
    secretaries = Person.objects.filter(post=Post.SECRETARY, organization__in=communities)
    newly_appointed = [p for p in secretaries if p.is_newly_appointed]
    assert 10 <= len(newly_appointed) < 127
    assert Person.objects.filter(cadre_category=CadreCategory.TWO_NEW_SECRETARY).count() == 20
    assert Person.objects.filter(cadre_category=CadreCategory.AGENCY_CADRE, post=Post.AGENCY_CADRE).exists()
    assert Person.objects.filter(cadre_category=CadreCategory.PARTY_MEMBER).count() >= 3 * 127
    assert len(set(Person.objects.values_list("phone", flat=True))) == Person.objects.count()

    # Demo accounts, their groups and where they sit.
    def account(username):
        return User.objects.get(username=username)

    def groups(username):
        return set(account(username).groups.values_list("name", flat=True))

    secretary = account("demo-secretary").person
    assert secretary.post == Post.SECRETARY and secretary.organization.street.code == "QX-YH"
    assert secretary.is_newly_appointed
    assert groups("demo-secretary") == {roles.LEARNER}
    assert groups("demo-trainer") == {roles.TRAINER}
    assert account("demo-trainer").person.organization.name == "区委组织部"
    assert groups("demo-office") == {roles.TRAINING_OFFICE}
    assert account("demo-office").person.organization == district_node
    assert groups("demo-hr") == {roles.HR}
    assert account("demo-hr").person.organization == district_node
    assert groups("demo-street-admin") == {roles.STREET_ADMIN}
    assert account("demo-street-admin").person.organization.code == "QX-YH"
    assert account("admin").is_superuser and account("admin").person
    staff_usernames = [a["username"] for a in district.STAFF_ACCOUNTS]
    learners = Person.objects.exclude(user__username__in=staff_usernames)
    assert learners.exclude(user__groups__name=roles.LEARNER).count() == 0
    assert Person.objects.count() == User.objects.count()
    everyone = Person.objects.count()
    assert visible_persons(account("demo-office")).count() == everyone
    street_scope = visible_persons(account("demo-street-admin"))
    assert 0 < street_scope.count() < everyone
    assert all(p.organization.path.startswith(Organization.objects.get(code="QX-YH").path) for p in street_scope)

    # Five programs, each with live courses and 1-3 live lessons per course.
    programs = ProgramPage.objects.live()
    assert sorted(programs.values_list("kind", flat=True)) == sorted(ProgramKind.values)
    for program in programs:
        courses = CoursePage.objects.child_of(program).live()
        assert courses.exists(), program
        for course in courses:
            lessons = ReadingLessonPage.objects.child_of(course).live()
            assert 1 <= lessons.count() <= 3, course
            assert all(len(lesson.body) >= 2 for lesson in lessons)
            assert PageViewRestriction.objects.filter(page=course).exists()
    forum_titles = set(CoursePage.objects.child_of(programs.get(kind=ProgramKind.HEAD_GOOSE_FORUM))
                       .values_list("title", flat=True))
    assert forum_titles == {f"2026年第{q}季度头雁讲坛" for q in "一二三四"}
    assert Page.find_problems() == ([], [], [], [], [])

    # Enrolments by audience.
    def enrolled(slug, program):
        course = CoursePage.objects.child_of(ProgramPage.objects.get(slug=program)).get(slug=slug)
        return set(Enrollment.objects.current().filter(course=course).values_list("person_id", flat=True))

    secretary_ids = set(secretaries.values_list("pk", flat=True))
    for quarter in range(1, 5):
        assert enrolled(f"2026-q{quarter}", "head-goose-forum") == secretary_ids
    assert enrolled("2026-cohort-1", "secretary-class") == secretary_ids
    assert enrolled("2026-newly-appointed", "topical") == {p.pk for p in newly_appointed}
    two_new = set(Person.objects.filter(cadre_category=CadreCategory.TWO_NEW_SECRETARY).values_list("pk", flat=True))
    assert enrolled("2026-h1", "demonstration-classroom") == two_new
    assert enrolled("2026-h2", "demonstration-classroom") == two_new
    assert enrolled("2026", "micro-videos") == set()
    assert set(Enrollment.objects.values_list("source", flat=True)) == {EnrollmentSource.AUDIENCE}

    # Every demo account logs in with the demo password; learners also with their phone number.
    for username in DEMO_USERNAMES:
        client = Client()
        response = client.post("/login/", {"username": username, "password": district.DEMO_PASSWORD})
        assert response.status_code == 302, username
        assert client.session["_auth_user_id"] == str(User.objects.get(username=username).pk)
    learner = Person.objects.filter(cadre_category=CadreCategory.PARTY_MEMBER).first()
    client = Client()
    assert client.post("/login/", {"username": learner.phone, "password": district.DEMO_PASSWORD}).status_code == 302
    assert client.get("/me/").status_code == 200


def test_it_changes_nothing_when_run_twice():
    load()
    before = snapshot()
    output = load()
    assert snapshot() == before
    assert "Organizations: 0 created" in output
    assert "Persons: 0 created" in output
    assert "Pages: 0 created" in output
    assert "Enrolments: 0 created" in output


def test_it_gives_an_existing_account_a_person_and_keeps_its_password():
    User.objects.create_superuser("admin", password="my-own-password")
    output = load()
    admin = User.objects.get(username="admin")
    assert admin.check_password("my-own-password")
    assert admin.person.organization.code == "QX"
    assert "admin" in output.split("Kept existing accounts")[1]


@pytest.mark.parametrize("command", ["load_demo_data", "generate_scale_data"])
def test_it_refuses_to_run_under_production_settings(command):
    with override_settings(SETTINGS_MODULE="lms.settings.production"):
        with pytest.raises(CommandError, match="production"):
            call_command(command, stdout=io.StringIO())
    assert not Organization.objects.exists()
    assert not Person.objects.exists()


def test_it_declares_five_programs_with_meaningful_lessons():
    assert len(curriculum.PROGRAMS) == 5
    for program in curriculum.PROGRAMS:
        for course in program["courses"]:
            assert course["starts_on"].year == course["year"] <= course["ends_on"].year
            for lesson in course["lessons"]:
                text = "".join(value if isinstance(value, str) else value["text"] for _kind, value in lesson["body"])
                assert len(text) >= 100, lesson["title"]


def test_it_fills_in_the_year_so_far_through_the_real_engine(django_capture_on_commit_callbacks, task_worker):
    from django.utils import timezone

    with django_capture_on_commit_callbacks(execute=True):  # attendance queues its reports after commit
        load()
    assert "lms.attendance.learning_feed.report_session" in task_worker()  # what the task cluster of `make run` does
    assert AnnualPlan.objects.filter(year=timezone.localdate().year).exists()
    demo = Person.objects.get(user__username="demo-secretary")
    held = Session.objects.filter(ends_at__lte=timezone.now(), course__enrollments__person=demo)
    assert held.exists()
    records = AttendanceRecord.objects.filter(person=demo)
    assert sorted(records.values_list("session_id", flat=True)) == sorted(held.values_list("pk", flat=True))
    assert set(records.values_list("status", flat=True)) == {AttendanceStatus.PRESENT}
    # Every course whose sessions are all held is completed, and the ledger holds its 学时.
    for enrollment in Enrollment.objects.filter(person=demo).select_related("course"):
        sessions = Session.objects.filter(course=enrollment.course)
        if sessions.exists() and not sessions.filter(ends_at__gt=timezone.now()).exists():
            assert enrollment.completed_at is not None, enrollment.course.title
            assert CreditEntry.objects.filter(person=demo, course=enrollment.course).exists()
    university = CreditEntry.objects.filter(person=demo, rule="university_class")
    assert [entry.hours for entry in university] == [24]
    # Others in the sample have a mix of statuses.
    statuses = set(AttendanceRecord.objects.exclude(person=demo).values_list("status", flat=True))
    assert {AttendanceStatus.PRESENT, AttendanceStatus.EXCUSED, AttendanceStatus.ABSENT} <= statuses
