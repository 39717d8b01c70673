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


def _new_page(browser, viewport, **options):
    context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai", **options)
    context.set_default_timeout(TIMEOUT_MS)
    return context, context.new_page()


@pytest.fixture
def phone_page(browser):
    """A page in a phone-sized window (the learners' device)."""
    context, page = _new_page(browser, PHONE_VIEWPORT, is_mobile=True, has_touch=True, device_scale_factor=2)
    yield page
    context.close()


@pytest.fixture
def desktop_page(browser):
    """A page in a desktop window (staff work in the Wagtail admin on a PC)."""
    context, page = _new_page(browser, DESKTOP_VIEWPORT)
    yield page
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
