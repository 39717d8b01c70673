"""The Content Security Policy every response carries, and the templates that must satisfy it: no
inline script or <style> without the request's nonce, no inline event handlers, no javascript: URLs.
(tests/e2e/test_csp.py checks the same in a real browser for the main pages.)"""

import re

import pytest
from django.conf import settings
from django.http import HttpResponse

from lms.security import PathCSPMiddleware

pytestmark = pytest.mark.django_db

TEMPLATES = settings.SITE_DIR / "templates"
NONCE = 'nonce="{{ request.csp_nonce }}"'
SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.I)
STYLE_TAG = re.compile(r"<style\b[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
JAVASCRIPT_URL = re.compile(r"""(href|src|action)\s*=\s*["']\s*javascript:""", re.I)


def policy_of(response):
    return {part.split()[0]: part.split()[1:] for part in response["Content-Security-Policy"].split("; ")}


INCLUDE = re.compile(r"""{%\s*include\s+["']([^"']+)["']""")


def templates():
    return sorted(TEMPLATES.rglob("*.html"))


def admin_templates():
    """Templates shown only inside Wagtail's admin, which has its own, looser policy: an admin/
    folder, a page of Wagtail's admin (extends wagtailadmin/, fills its extra_css block), or a part
    such a page includes."""
    admin = set()
    for path in templates():
        name = str(path.relative_to(TEMPLATES))
        text = path.read_text(encoding="utf-8")
        if "/admin/" in f"/{name}" or 'extends "wagtailadmin/' in text or "{% block extra_css %}" in text:
            admin.add(name)
            admin.update(INCLUDE.findall(text))
    return admin


def is_print_template(text):
    """Rendered to PDF by WeasyPrint, never shown in a browser."""
    return "@page" in text


def test_it_sends_a_strict_policy_on_site_pages(client):
    response = client.get("/login/")
    policy = policy_of(response)
    assert "Content-Security-Policy-Report-Only" not in response  # enforced, not just reported
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'self'"]
    for directive in ("script-src", "style-src-elem"):
        assert "'unsafe-inline'" not in policy[directive]
        assert "'unsafe-eval'" not in policy[directive]


def test_it_uses_a_fresh_nonce_for_each_response_that_needs_one(rf):
    def view(request):
        return HttpResponse(f'<style {NONCE.replace("{{ request.csp_nonce }}", str(request.csp_nonce))}></style>')

    middleware = PathCSPMiddleware(view)
    nonces = []
    for _ in range(2):
        response = middleware(rf.get("/me/"))
        nonce = re.search(r'nonce="([^"]+)"', response.content.decode()).group(1)
        assert f"'nonce-{nonce}'" in policy_of(response)["style-src-elem"]
        assert f"'nonce-{nonce}'" in policy_of(response)["script-src"]
        nonces.append(nonce)
    assert nonces[0] != nonces[1]
    admin = middleware(rf.get("/admin/pages/"))
    assert "nonce-" not in admin["Content-Security-Policy"]  # a nonce would switch 'unsafe-inline' off


def test_it_gives_the_admin_its_own_policy(client_for, training_office):
    response = client_for(training_office).get("/admin/")
    assert response.status_code == 200
    policy = policy_of(response)
    assert policy["default-src"] == ["'self'"]
    assert "'unsafe-inline'" in policy["script-src"]  # Wagtail's own templates have inline scripts
    assert "https:" not in policy["script-src"]


ADMIN_TEMPLATES = admin_templates()


@pytest.mark.parametrize("path", templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_it_keeps_templates_free_of_inline_code_without_a_nonce(path):
    name = str(path.relative_to(TEMPLATES))
    text = path.read_text(encoding="utf-8")
    if name in ADMIN_TEMPLATES or is_print_template(text):
        return
    problems = []
    for tag in SCRIPT_TAG.findall(text):
        if "src=" in tag or "application/json" in tag or "application/ld+json" in tag:
            continue
        if NONCE not in tag:
            problems.append(f"inline {tag} without {NONCE}")
    problems += [f"{tag} without {NONCE}" for tag in STYLE_TAG.findall(text) if NONCE not in tag]
    problems += [f"inline event handler: {match.group(0)[:80]}" for match in EVENT_HANDLER.finditer(text)]
    problems += [f"javascript: URL ({match.group(0)})" for match in JAVASCRIPT_URL.finditer(text)]
    assert not problems, f"{path.relative_to(TEMPLATES)}: " + "; ".join(problems)
