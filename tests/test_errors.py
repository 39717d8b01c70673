"""Error pages use the site's own templates (header, navigation, translated text), not Django's."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import path
from django.utils import translation

from lms import urls as lms_urls

pytestmark = pytest.mark.django_db


def zh(msgid):
    with translation.override("zh-hans"):
        return translation.gettext(msgid)


@pytest.mark.parametrize("path", ["/no-such-page/", "/forum/no-such-course/", "/me/nothing/"])
def test_it_answers_an_unknown_url_with_the_styled_404(client, settings, path, program):
    settings.DEBUG = False
    response = client.get(path)
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    content = response.content.decode()
    assert 'class="site-header"' in content
    assert zh("Page not found") in content
    assert zh("Back to the catalogue") in content


def test_it_shows_the_404_in_chinese_by_default(client, settings, db):
    settings.DEBUG = False
    content = client.get("/no-such-page/").content.decode()
    assert '<html lang="zh-hans">' in content
    if zh("Page not found") != "Page not found":
        assert "Page not found" not in content


def test_it_answers_a_missing_media_file_with_the_styled_404(client_for, secretary, settings, tmp_path):
    settings.DEBUG = False
    settings.MEDIA_ROOT = tmp_path
    response = client_for(secretary).get("/media/documents/missing.pdf")
    assert response.status_code == 404
    assert zh("Page not found") in response.content.decode()


def test_it_shows_the_logged_in_navigation_on_the_404(client_for, secretary, settings):
    settings.DEBUG = False
    content = client_for(secretary).get("/no-such-page/").content.decode()
    assert zh("My learning") in content
    assert zh("Log out") in content


def test_it_answers_permission_denied_with_the_styled_403(client_for, secretary, settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__
    response = client_for(secretary).get("/forbidden/")
    assert response.status_code == 403
    content = response.content.decode()
    assert 'class="site-header"' in content
    assert zh("Access denied") in content


def test_it_answers_a_crash_with_the_self_contained_500(settings, db):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    content = response.content.decode()
    assert "系统暂时出错" in content
    assert "Traceback" not in content and "RuntimeError" not in content


def forbidden(request):
    raise PermissionDenied


def boom(request):
    raise RuntimeError("deliberate failure for the 500 page test")


urlpatterns = [path("forbidden/", forbidden), path("boom/", boom), *lms_urls.urlpatterns]
