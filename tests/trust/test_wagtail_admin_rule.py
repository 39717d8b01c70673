"""Wagtail's own admin URLs (pages, images, documents, media, users, workflows, reports, ...) follow
one rule, checked on every one of them the resolver lists (not a sample): anonymous users are sent
to the admin login and learners — who have no admin access — never get a page, whatever the URL.
What each staff role may do inside the admin is Wagtail's permission system, configured in
lms.people.roles (tested in tests/people/test_roles.py); our own admin views and the viewsets over
our models are in the permission matrix (test_permission_matrix.py) with every persona."""

import pytest
from django.urls import NoReverseMatch, reverse

from .matrix import all_routes, outcome, request_as

pytestmark = pytest.mark.django_db

# Admin URLs that are public by nature: the login and password-reset flow, static helpers.
PUBLIC = {"wagtailadmin_login", "wagtailadmin_logout", "wagtailadmin_password_reset",
          "wagtailadmin_password_reset_done", "wagtailadmin_password_reset_confirm",
          "wagtailadmin_password_reset_complete", "wagtailadmin_sprite", "wagtailadmin_javascript_catalog"}
DUMMIES = ("1", "00000000-0000-0000-0000-000000000001", "x", "video")


def wagtail_admin_urls():
    """(name, url) of every built-in admin URL, its kwargs filled with a dummy that fits."""
    urls = []
    for route in all_routes():
        if not route.is_admin or route.is_ours or not route.name or route.name in PUBLIC:
            continue
        for dummy in DUMMIES:
            try:
                urls.append((route.name, reverse(route.name, kwargs={k: dummy for k in route.converters})))
                break
            except NoReverseMatch:
                continue
        else:
            urls.append((route.name, None))
    return urls


def test_it_finds_wagtails_admin_urls():
    urls = wagtail_admin_urls()
    unbuilt = [name for name, url in urls if url is None]
    assert not unbuilt, f"admin URLs the rule cannot build a URL for: {unbuilt}"
    assert len(urls) > 150  # pages, images, documents, media, users, groups, workflows, reports, ...


def test_it_keeps_anonymous_users_and_learners_out_of_wagtails_admin(client_for, secretary):
    clients = {"anonymous": client_for(None), "secretary": client_for(secretary)}
    wrong = []
    for name, url in wagtail_admin_urls():
        for who, client in clients.items():
            for method in ("get", "post"):
                got = outcome(request_as(client, method, url))
                # 405: the URL takes no such method, nothing ran; 404 for the dummy id is not enough
                # on its own (a view that looks the object up before checking access), so it counts
                # as wrong.
                if got not in ("login", "405"):
                    wrong.append(f"{method.upper()} {url} ({name}) as {who}: {got}")
    assert not wrong, "\n".join(wrong)
