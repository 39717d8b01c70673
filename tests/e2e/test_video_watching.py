"""A learner watches a demo micro-video in headless Chromium: the server's coverage matches what
was actually played, and seeking to the end and playing the last second does not complete it."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import wait_until

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore:No directory at:UserWarning"),
]

LESSON_SLUG = "jianshou-pingfan"  # 《坚守平凡》, 45 s

WAIT_FOR_REPORT = """
(event) => new Promise((resolve) => {
  document.addEventListener("touyan:heartbeat", function handler(e) {
    const data = e.detail.data || {};
    resolve({status: e.detail.status, seconds: data.seconds, percent: data.percent, completed: data.completed});
  }, {once: true});
  const video = document.getElementById("lesson-video");
  if (event === "pause") video.pause();
})
"""


def _buffer_whole_video(page):
    """Let the browser fetch the whole (small) film before playing. The live server's test database
    is SQLite in shared-cache memory, where a read that meets a write transaction fails at once
    ("table is locked") instead of waiting as the real file database does; buffering first keeps
    the video's range requests from overlapping the heartbeats."""
    page.evaluate("""() => { const v = document.getElementById('lesson-video');
                             v.preload = 'auto'; v.load(); }""")
    wait_until(page, """() => { const v = document.getElementById('lesson-video');
        return v.readyState >= 4 && v.buffered.length && v.buffered.end(v.buffered.length - 1) >= v.duration - 0.1; }""",
               timeout=15_000)


def _progress():
    from lms.learning.models import LessonProgress

    return LessonProgress.objects.filter(person__user__username="demo-secretary", lesson__slug=LESSON_SLUG).first()


def _play(page, seconds):
    """Play (muted, at the course's maximum speed) for `seconds` of wall time; returns the media
    time actually played (from where it started to where it paused)."""
    start = page.evaluate("document.getElementById('lesson-video').currentTime")
    page.evaluate("""() => { const v = document.getElementById('lesson-video');
                             v.muted = true; v.playbackRate = 1.25; return v.play(); }""")
    page.wait_for_timeout(int(seconds * 1000))
    report = page.evaluate(WAIT_FOR_REPORT, "pause")
    end = page.evaluate("document.getElementById('lesson-video').currentTime")
    return start, end, report


def test_it_credits_what_was_played_and_not_a_seek_to_the_end(demo_data, desktop_page, shot):
    page, base_url = desktop_page, demo_data.url

    page.goto(f"{base_url}/login/")
    page.fill("input[name=username]", "demo-secretary")
    page.fill("input[name=password]", "touyan-demo")
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.wait_for_url(re.compile(r"/me/$"))

    # Self-enrol in the always-open micro-video course, then open the first film.
    page.goto(f"{base_url}/micro-videos/2026/")
    page.locator(".enrolment-status button[type=submit]").click()
    expect(page.locator(".enrolment-status .tag.ok")).to_be_visible()
    page.get_by_role("link", name="《坚守平凡》", exact=True).click()
    expect(page.locator("article.lesson h1")).to_have_text("《坚守平凡》")
    _buffer_whole_video(page)
    assert page.evaluate("document.getElementById('lesson-video').duration") == pytest.approx(45, abs=0.5)

    # The player refuses speeds above the course's maximum.
    page.evaluate("document.getElementById('lesson-video').playbackRate = 4")
    assert page.evaluate("document.getElementById('lesson-video').playbackRate") == 1.25

    start, end, report = _play(page, 5)
    played = end - start
    assert 4 <= played <= 8, played
    assert report["status"] == 200
    progress = _progress()
    assert progress is not None
    assert abs(progress.seconds_covered - played) <= 2, (progress.seconds_covered, played)
    assert report["seconds"] == progress.seconds_covered
    expect(page.locator("[data-watch-percent]")).to_contain_text(f"{progress.percent}%")
    shot(page, "01-watched-a-few-seconds")
    covered_before = progress.seconds_covered

    # Coming back resumes where the learner paused.
    page.reload()
    _buffer_whole_video(page)
    wait_until(page, "document.getElementById('lesson-video').currentTime > 0")
    assert page.evaluate("document.getElementById('lesson-video').currentTime") == pytest.approx(end, abs=0.5)
    expect(page.locator("[data-watch-percent]")).to_contain_text(f"{progress.percent}%")

    # Seek to the last second and play to the end: one more second at most, not completed.
    page.evaluate("document.getElementById('lesson-video').currentTime = 44")
    wait_until(page, "!document.getElementById('lesson-video').seeking")
    page.evaluate("""() => new Promise((resolve) => {
        const v = document.getElementById('lesson-video');
        document.addEventListener('touyan:heartbeat', () => resolve(), {once: true});
        v.addEventListener('ended', () => {}, {once: true});
        v.play();
    })""")  # the 'start' report
    wait_until(page, "document.getElementById('lesson-video').ended", timeout=10_000)
    page.wait_for_timeout(1000)  # the 'ended' report
    progress = _progress()
    assert progress.completed_at is None
    assert covered_before <= progress.seconds_covered <= covered_before + 2
    assert progress.percent < 90
    shot(page, "02-after-seeking-to-the-end")



def test_it_asks_whether_the_learner_is_still_watching_on_a_phone(demo_data, phone_page, shot, settings):
    from courses.models import CoursePage, ProgramPage
    from lms.learning.models import Enrollment, EnrollmentSource
    from lms.people.models import Person

    settings.VIDEO_PRESENCE_CHECK_SECONDS = (2, 3)
    course = CoursePage.objects.child_of(ProgramPage.objects.get(slug="micro-videos")).get(slug="2026")
    course.video_presence_check = True
    course.save_revision().publish()
    Enrollment.enrol(Person.objects.get(user__username="demo-secretary"), course, EnrollmentSource.SELF)

    page, base_url = phone_page, demo_data.url
    page.goto(f"{base_url}/login/")
    page.fill("input[name=username]", "demo-secretary")
    page.fill("input[name=password]", "touyan-demo")
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.wait_for_url(re.compile(r"/me/$"))
    page.goto(f"{base_url}/micro-videos/2026/buwang-chuxin/")
    expect(page.locator("article.lesson h1")).to_have_text("《不忘初心、与你同行》")
    _buffer_whole_video(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the video page is {overflow}px wider than the phone"

    page.evaluate("() => { const v = document.getElementById('lesson-video'); v.muted = true; return v.play(); }")
    dialog = page.locator("#presence-dialog")
    expect(dialog).to_be_visible(timeout=10_000)
    assert page.evaluate("document.getElementById('lesson-video').paused")
    shot(page, "01-still-watching")
    # Pressing play while the prompt is open does not resume.
    page.evaluate("document.getElementById('lesson-video').play().catch(() => {})")
    page.wait_for_timeout(500)
    assert page.evaluate("document.getElementById('lesson-video').paused")

    page.locator("[data-presence-confirm]").click()
    expect(dialog).to_be_hidden()
    wait_until(page, "!document.getElementById('lesson-video').paused")
    page.evaluate(WAIT_FOR_REPORT, "pause")
