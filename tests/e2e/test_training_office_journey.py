"""The training office (培训科) runs a course in the Wagtail admin: approves and publishes the course
a trainer submitted for moderation, schedules its session, opens the check-in display, takes roll
call for the learners without phones, makes the district's certificate template and issues the
course's certificates in bulk, watching the batch's progress until it is done."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from .conftest import log_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

COURSE_TITLE = "2026年第四季度头雁讲坛（培训科浏览器测试）"
SESSION_TITLE = "第四季度讲坛·现场教学"


@pytest.fixture
def submitted_course(live_server, home_page, make_course, trainer, secretary, org_tree, make_person):
    """A draft course the trainer submitted to the 课程发布审核 workflow; completing it takes attending
    its sessions. Two secretaries of street A are enrolled."""
    from lms.learning.models import Enrollment, EnrollmentSource
    from lms.people import roles

    today = timezone.localdate()
    course = make_course(COURSE_TITLE, slug="2026-q4", publish=False, completion_session_percent=100, year=today.year,
                         starts_on=today - datetime.timedelta(days=1), ends_on=today + datetime.timedelta(days=1))
    course.get_workflow().start(course, trainer.user)
    neighbour = make_person("刘书记", org_tree["community_a"], groups=[roles.LEARNER])
    for person in (secretary, neighbour):
        Enrollment.enrol(person, course, EnrollmentSource.BULK)
    return course, [secretary, neighbour]


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def test_it_lets_the_training_office_publish_run_a_session_and_issue_certificates(
        live_server, submitted_course, training_office, password, task_worker, desktop_page, shot):
    from courses.models import CoursePage
    from lms.attendance.models import AttendanceRecord, Session
    from lms.certificates.models import Certificate, IssueBatch

    course, learners = submitted_course
    page, base_url = desktop_page, live_server.url

    # The dashboard lists the course awaiting review; the office approves it in the editor, which publishes it.
    log_in(page, base_url, training_office.user.username, password, admin=True)
    expect(page.locator("main")).to_contain_text(COURSE_TITLE)
    shot(page, "01-dashboard")
    page.goto(f"{base_url}/admin/pages/{course.pk}/edit/")
    page.locator("footer [data-w-dropdown-target=toggle]").click()
    approve = page.locator("footer [data-workflow-action-name=approve]:not([data-launch-modal])").first
    expect(approve).to_be_visible()
    shot(page, "02-review", full_page=False)
    approve.click()
    expect(page.locator(".messages")).to_contain_text(COURSE_TITLE)
    shot(page, "03-approved")
    course = CoursePage.objects.get(pk=course.pk)
    assert course.live and course.current_workflow_state is None

    # Schedule the session (it started a few minutes ago, so roll call is open).
    starts = timezone.now() - datetime.timedelta(minutes=5)
    page.goto(f"{base_url}/admin/snippets/attendance/session/add/")
    page.locator("#id_course-chooser, [data-chooser-action-choose], .chooser__choose-button").first.click()
    modal = page.locator(".modal-dialog")
    # The chooser opens where the courses are (under their program).
    modal.get_by_role("link", name=COURSE_TITLE).click()
    expect(page.locator("[data-chooser-title]").first).to_have_text(COURSE_TITLE)
    page.fill("#id_title", SESSION_TITLE)
    page.fill("#id_starts_at", _local(starts))
    page.fill("#id_ends_at", _local(starts + datetime.timedelta(hours=3)))
    page.select_option("#id_mode", "offline")
    page.fill("#id_venue", "区委党校报告厅")
    page.locator("#id_title").click()  # closes the date pickers
    shot(page, "04-session-form")
    page.locator("footer button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/admin/snippets/attendance/session/$"))
    expect(page.locator(".messages")).to_contain_text(SESSION_TITLE)
    shot(page, "05-sessions")
    session = Session.objects.get(course=course, title=SESSION_TITLE)

    # The check-in display lists who has not checked in yet.
    page.goto(f"{base_url}/attendance/sessions/{session.pk}/display/")
    page.locator("[data-qr] svg.qr-code").wait_for()
    for person in learners:
        expect(page.locator('[data-list="missing"]')).to_contain_text(person.name)
    shot(page, "06-display")

    # Roll call: both learners came without phones.
    page.goto(f"{base_url}/attendance/sessions/{session.pk}/roll-call/")
    for person in learners:
        present = page.locator(f"#person-{person.pk} button[data-status=present]")
        present.click()
        expect(page.locator(f"#person-{person.pk} button[data-status=present]")).to_have_attribute(
            "aria-pressed", "true")
    expect(page.locator("[data-count=present]")).to_have_text("2")
    shot(page, "07-roll-call")
    assert set(AttendanceRecord.objects.filter(session=session).values_list("channel", "status")) == {
        ("roll_call", "present")}

    # The cluster reports attendance to learning: both completed the course. No template yet, so no certificate.
    assert "lms.attendance.learning_feed.report_session" in task_worker()
    assert not Certificate.objects.filter(course=course).exists()

    # The office makes the district's certificate template...
    page.goto(f"{base_url}/admin/snippets/certificates/certificatetemplate/add/")
    page.fill("#id_name", "区委组织部结业证书")
    page.fill("#id_signatory_name", "李明")
    page.fill("#id_signatory_title", "部长")
    page.check("#id_is_district_default")
    shot(page, "08-template-form")
    page.locator("footer button[type=submit]").first.click()
    expect(page.locator(".messages")).to_contain_text("区委组织部结业证书")

    # ...and issues the course's certificates in bulk, watching the progress reach done.
    page.goto(f"{base_url}/admin/certificates/courses/{course.pk}/")
    issue = page.get_by_role("button", name="颁发 2 张缺少的证书")
    expect(issue).to_be_enabled()
    shot(page, "09-course-certificates")
    issue.click()
    page.wait_for_url(re.compile(r"/admin/certificates/batches/\d+/$"))
    expect(page.locator("#batch-status")).to_have_attribute("data-state", "queued")
    shot(page, "10-batch-queued")
    assert "lms.certificates.tasks.run_batch" in task_worker()
    expect(page.locator("#batch-status")).to_have_attribute("data-state", "done", timeout=10_000)
    expect(page.locator("#batch-status")).to_contain_text("2")
    shot(page, "11-batch-done")
    assert IssueBatch.objects.get(course=course).status == "done"
    assert {c.person_id for c in Certificate.objects.filter(course=course, status="valid")} == {p.pk for p in learners}
