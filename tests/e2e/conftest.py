"""Browser tests: Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

Never downloads a browser: Chromium is /usr/bin/chromium (installed by `make setup`). Screenshots of
the important steps go to test-artifacts/e2e/<test>-<step>.png (git-ignored, kept by CI).

Database: `live_server` makes every test transactional, and a transactional test ends with a flush.
The flush re-runs post_migrate handlers (content types, permissions, lms.people.roles.ensure_roles) but
data migrations (Wagtail's root page, locale and collection, our HomePage and Site) are gone after it.
Instead of serialized rollback (which leaves an empty database without post_migrate data behind for
the transactional tests of other apps that run later), `ensure_site_tree` recreates what the data
migrations made when it is missing, so these tests work whatever ran before them."""

import io
import os
import re
import time
from pathlib import Path

import pytest

from ..assessments.conftest import category, make_question, make_quiz  # noqa: F401 (fixtures)

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run in a thread
# with an event loop unless told it is fine (it is: the loop only talks to the browser).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts" / "e2e"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHONE_VIEWPORT = {"width": 390, "height": 844}
DESKTOP_VIEWPORT = {"width": 1366, "height": 900}
TIMEOUT_MS = 15_000


# --- browser ------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package (make setup) to run browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Screenshots:
    """Saves test-artifacts/e2e/<test>-<step>.png."""

    def __init__(self, test_name):
        self.prefix = re.sub(r"[^\w.-]+", "_", test_name)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def __call__(self, page, step, full_page=True):
        path = ARTIFACTS / f"{self.prefix}-{step}.png"
        page.screenshot(path=str(path), full_page=full_page, animations="disabled")
        return path


@pytest.fixture
def shot(request):
    return Screenshots(request.node.name)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Remembers each phase's report on the test item, so page fixtures can tell a failed test."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _keep_failure_screenshot(request, page, name):
    """When the test failed, a screenshot of where the page was: <test>-FAILED-<fixture>.png."""
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed and not page.is_closed():
        try:
            Screenshots(request.node.name)(page, f"FAILED-{name}")
        except Exception:  # noqa: BLE001 - a screenshot must never hide the real failure
            pass


def _new_page(browser, viewport, **options):
    context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai", **options)
    context.set_default_timeout(TIMEOUT_MS)
    return context, context.new_page()


@pytest.fixture
def phone_page(browser, request):
    """A page in a phone-sized window (the learners' device)."""
    context, page = _new_page(browser, PHONE_VIEWPORT, is_mobile=True, has_touch=True, device_scale_factor=2)
    yield page
    _keep_failure_screenshot(request, page, "phone")
    context.close()


@pytest.fixture
def desktop_page(browser, request):
    """A page in a desktop window (staff work in the Wagtail admin on a PC)."""
    context, page = _new_page(browser, DESKTOP_VIEWPORT)
    yield page
    _keep_failure_screenshot(request, page, "desktop")
    context.close()


def wait_until(page, expression, timeout=TIMEOUT_MS):
    """Like page.wait_for_function, which evaluates its predicate with eval() inside the page and so
    is refused by the site's Content Security Policy (no 'unsafe-eval'): polls page.evaluate (run
    through the browser's debugger protocol, outside the policy) until the expression is truthy."""
    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} ms waiting for: {expression}")
        page.wait_for_timeout(50)


# --- data ---------------------------------------------------------------------------------------

def ensure_site_tree():
    """What the data migrations create, recreated when a flush removed it: the default locale,
    Wagtail's root page and root collection, the catalogue HomePage and the default Site. Then the
    roles again, since ensure_roles() skips page permissions and the workflow without a root page."""
    from django.conf import settings
    from django.core.cache import cache
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Collection, Locale, Page, Site

    from courses.models import HomePage
    from lms.people.roles import ensure_roles

    cache.clear()  # Wagtail caches site root paths; a flush does not send the signals that clear them
    locale = Locale.objects.order_by("pk").first() or Locale.objects.create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    home = HomePage.objects.first()
    if home is None:
        home = root.add_child(instance=HomePage(title="头雁学习平台", slug="home", locale=locale))
    if not Site.objects.filter(is_default_site=True).exists():
        Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True,
                            site_name="头雁 Touyan")
    ensure_roles()
    return home


@pytest.fixture
def demo_data(live_server):
    """The demo data set `make run` loads (demo accounts with password touyan-demo, the five programs
    with their courses and enrolments), in the live server's database; returns the live server."""
    from django.core.management import call_command

    ensure_site_tree()
    call_command("load_demo_data", verbosity=0, stdout=io.StringIO())
    return live_server


@pytest.fixture
def home_page(db):
    """The catalogue root (overrides tests/conftest.py's): recreated when an earlier transactional
    test's flush removed it, so the persona and catalogue fixtures work under live_server."""
    from courses.models import HomePage

    ensure_site_tree()
    return HomePage.objects.get()


# --- steps shared by the journeys -----------------------------------------------------------------

def log_in(page, base_url, username, password, *, admin=False):
    """Log in through the site's login form (or Wagtail's, with admin=True) and wait for the page
    the form leads to."""
    page.goto(f"{base_url}/admin/login/" if admin else f"{base_url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$" if admin else r"/me/$"))


def decode_qr(png_path):
    """The text of the QR code in a PNG, read by zbarimg (Debian's zbar-tools)."""
    import shutil
    import subprocess

    if not shutil.which("zbarimg"):
        pytest.skip("zbarimg is not installed")
    decoded = subprocess.run(["zbarimg", "--raw", "-q", str(png_path)], capture_output=True, text=True, check=True)
    return decoded.stdout.strip()


def read_display_qr(display_page, tmp_path):
    """The check-in URL the check-in display's QR code shows right now."""
    display_page.locator("[data-qr] svg.qr-code").wait_for()
    png = tmp_path / "display-qr.png"
    display_page.locator("[data-qr]").screenshot(path=str(png))
    return decode_qr(png)


def pdf_text(pdf_path):
    """The text of a PDF, as poppler's pdftotext reads it."""
    import subprocess

    return subprocess.run(["pdftotext", "-layout", str(pdf_path), "-"], capture_output=True, text=True,
                          check=True).stdout


def pdf_qr_text(pdf_path, tmp_path):
    """The text of the QR code on a PDF's first page (rendered to PNG by pdftoppm, read by zbarimg)."""
    import subprocess

    stem = tmp_path / "pdf-page"
    subprocess.run(["pdftoppm", "-png", "-r", "200", "-f", "1", "-l", "1", "-singlefile", str(pdf_path), str(stem)],
                   check=True)
    return decode_qr(f"{stem}.png")


@pytest.fixture
def certificate_template(db):
    """A plain district-default certificate template (no images), so completed courses get certificates."""
    from lms.certificates.models import CertificateTemplate

    return CertificateTemplate.objects.create(name="结业证书（浏览器测试）", signatory_name="李明", signatory_title="部长",
                                              is_district_default=True)


JOURNEY_VIDEO_SECONDS = 4


@pytest.fixture
def journey_course(live_server, home_page, course, secretary, make_question, category, make_quiz, settings):
    """The secretary's course with one of each kind of work that completion asks for: a short real
    video lesson (an MP4 made with PyAV), a one-question quiz and an in-person session happening
    now. The secretary is enrolled. BASE_URL is the live server, so certificate QR codes point to it."""
    import datetime

    from django.utils import timezone

    from courses.models import VideoLessonPage
    from lms.attendance.models import Session, SessionMode
    from lms.demo.videos import ensure_media
    from lms.learning.models import Enrollment, EnrollmentSource

    settings.BASE_URL = live_server.url
    media, _rendered = ensure_media("e2e-journey", "初心如磐", JOURNEY_VIDEO_SECONDS, (180, 40, 40))
    video = VideoLessonPage(title="第一课：初心如磐", slug="video-lesson", video=media)
    course.add_child(instance=video)
    video.save_revision().publish()
    question = make_question(text="党的根本宗旨是什么？", category=category, options=[
        ("全心全意为人民服务", True), ("发展经济", False), ("维护稳定", False)])
    quiz = make_quiz("结业测验", slug="quiz", questions=[question], pass_percent=60)
    now = timezone.now()
    session = Session.objects.create(course=course, title="头雁讲坛·现场教学", mode=SessionMode.HYBRID,
                                     starts_at=now - datetime.timedelta(minutes=2),
                                     ends_at=now + datetime.timedelta(hours=1), venue="区委党校报告厅")
    Enrollment.enrol(secretary, course, EnrollmentSource.BULK)
    return {"course": course, "video": VideoLessonPage.objects.get(pk=video.pk), "quiz": quiz, "session": session,
            "secretary": secretary}


def answer_correctly(page, answer):
    """Give the correct answer to one question on a quiz sheet, as a learner would."""
    question = answer.question
    if question.kind in ("single", "multiple"):
        for option_id in question.correct_option_ids():
            page.locator(f"input[name='{answer.field_name}'][value='{option_id}']").check()
    elif question.kind == "true_false":
        page.locator(f"input[name='{answer.field_name}'][value='{'true' if question.answer_true else 'false'}']").check()
    else:
        page.locator(f"input[name='{answer.field_name}']").fill(question.accepted_answer_list()[-1])


# --- accessibility (axe-core, bundled by the axe-playwright-python package) -------------------------

SERIOUS = ("serious", "critical")


def axe_violations(page, impacts=SERIOUS):
    """Run axe-core on the page as it is now; returns the violations of the given impacts as
    readable lines (rule id, impact, help, and the offending elements). axe is injected with
    page.evaluate, which runs through the debugger protocol and so is not blocked by the page's CSP."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"resultTypes": ["violations"]})
    lines = []
    for violation in results.response["violations"]:
        if violation["impact"] not in impacts:
            continue
        targets = "; ".join(", ".join(node["target"]) if isinstance(node["target"][0], str) else str(node["target"])
                            for node in violation["nodes"][:8])
        lines.append(f"{page.url}: {violation['id']} ({violation['impact']}) {violation['help']} -> {targets}")
    return lines
