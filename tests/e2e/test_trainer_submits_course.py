"""A trainer drafts a new Head Goose Forum course in the Wagtail admin, adds a reading lesson to it
and submits the course to the 课程发布审核 workflow; only the training office may publish it."""

import re

import pytest
from playwright.sync_api import expect
from wagtail.admin.models import EditingSession

pytestmark = [
    pytest.mark.e2e,
    # WhiteNoise looks for collected static files; the live server serves them from the finders.
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

NEW_COURSE_TITLE = "2027年第一季度头雁讲坛（浏览器测试）"
NEW_LESSON_TITLE = "第一课：新任书记的第一课"


def test_it_lets_a_trainer_create_a_course_and_submit_it_for_review(demo_data, desktop_page, shot):
    from courses.models import CoursePage, ProgramKind, ProgramPage
    from lms.people.roles import COURSE_WORKFLOW_NAME

    page, base_url = desktop_page, demo_data.url
    program = ProgramPage.objects.get(kind=ProgramKind.HEAD_GOOSE_FORUM)

    page.goto(f"{base_url}/admin/login/")
    page.fill("input[name=username]", "demo-trainer")
    page.fill("input[name=password]", "touyan-demo")
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    shot(page, "01-dashboard")

    page.goto(f"{base_url}/admin/pages/{program.pk}/")
    expect(page.locator("h1")).to_contain_text(program.title)
    shot(page, "02-explorer")

    page.locator(f"a[href$='/admin/pages/{program.pk}/add_subpage/']").first.click()
    # A program only takes courses, so Wagtail skips the page-type chooser.
    page.wait_for_url(re.compile(rf"/admin/pages/add/courses/coursepage/{program.pk}/$"))
    shot(page, "03-create-form")

    page.fill("#id_title", NEW_COURSE_TITLE)
    page.fill("#id_summary", "新任书记的第一课")
    page.fill("#id_year", "2027")
    # Wagtail's date inputs are text inputs in WAGTAIL_DATE_FORMAT (ISO by default) with a picker.
    page.fill("#id_starts_on", "2027-01-08")
    page.fill("#id_ends_on", "2027-03-26")
    page.fill("#id_credit_hours", "3")
    page.locator("#id_summary").click()  # leaves the date inputs, which closes their pickers
    shot(page, "04-form-filled")

    footer = page.locator("footer")
    footer.locator("[data-w-dropdown-target=toggle]").click()
    submit = footer.locator("button[name=action-submit]")
    expect(submit).to_be_visible()
    expect(submit).to_contain_text(COURSE_WORKFLOW_NAME)
    expect(page.locator("button[name=action-publish]")).to_have_count(0)
    shot(page, "05-action-menu", full_page=False)

    # Save a draft first, to add the lessons.
    page.keyboard.press("Escape")
    footer.get_by_role("button", name="保存草稿").click()
    page.wait_for_url(re.compile(r"/admin/pages/\d+/edit/$"))
    draft = CoursePage.objects.get(title=NEW_COURSE_TITLE)

    page.goto(f"{base_url}/admin/pages/{draft.pk}/add_subpage/")
    page.locator("a[href*='/add/courses/readinglessonpage/']").first.click()
    page.wait_for_url(re.compile(rf"/admin/pages/add/courses/readinglessonpage/{draft.pk}/$"))
    page.fill("#id_title", NEW_LESSON_TITLE)
    page.fill("#id_estimated_minutes", "20")
    page.locator("[data-streamfield-stream-container] button[title], .c-sf-add-button").first.click()
    page.get_by_role("option", name="标题").click()
    page.locator("input[name^='body-0-value']").fill("学习党章，履职尽责")
    shot(page, "06-lesson-form")
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_url(re.compile(r"/admin/pages/\d+/edit/$"))
    expect(page.locator(".messages")).to_contain_text(NEW_LESSON_TITLE)
    shot(page, "07-lesson-saved")

    # Then submit the course for review.
    page.goto(f"{base_url}/admin/pages/{draft.pk}/edit/")
    footer.locator("[data-w-dropdown-target=toggle]").click()
    footer.locator("button[name=action-submit]").click()
    page.wait_for_url(re.compile(rf"/admin/pages/{program.pk}/$"))
    expect(page.locator(".messages")).to_contain_text(NEW_COURSE_TITLE)
    shot(page, "08-submitted")

    course = CoursePage.objects.get(title=NEW_COURSE_TITLE)
    assert course.get_parent().pk == program.pk
    assert not course.live
    assert course.owner.username == "demo-trainer"
    assert (course.year, str(course.starts_on), str(course.ends_on)) == (2027, "2027-01-08", "2027-03-26")
    state = course.current_workflow_state
    assert state is not None and state.status == state.STATUS_IN_PROGRESS
    assert state.workflow.name == COURSE_WORKFLOW_NAME
    assert state.requested_by.username == "demo-trainer"
    assert state.current_task_state.task.name == "培训科审核"
    lessons = [lesson.specific for lesson in course.get_children()]
    assert [(type(lesson).__name__, lesson.title, lesson.owner.username) for lesson in lessons] == [
        ("ReadingLessonPage", NEW_LESSON_TITLE, "demo-trainer")]
    assert lessons[0].body[0].block_type == "heading" and not lessons[0].live

    # Back in the editor the trainer still cannot publish: the page waits for the training office.
    page.goto(f"{base_url}/admin/pages/{course.pk}/edit/")
    footer.locator("[data-w-dropdown-target=toggle]").click()
    expect(page.locator("button[name=action-publish]")).to_have_count(0)
    expect(page.locator("[data-workflow-action-name=approve]")).to_have_count(0)
    shot(page, "09-editor-in-moderation")

    # Leaving the editor releases its editing session (a beacon as the page unloads); waiting for
    # that here keeps the request from reaching the server while the test database is torn down.
    page.goto(f"{base_url}/admin/")
    for _attempt in range(200):
        if not EditingSession.objects.exists():
            break
        page.wait_for_timeout(50)
    assert not EditingSession.objects.exists()
