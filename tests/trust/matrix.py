"""The permission-matrix machinery: list every URL pattern the resolver serves, request one URL
as one persona inside a rolled-back savepoint, and name the outcome.

Outcomes (one word each, used in the tables of test_permission_matrix.py):
  ok      2xx (allowed; for POST views this includes a 400 form-error page, see below)
  login   a redirect to a login page (the site's /login/ or Wagtail's /admin/login/)
  home    a redirect to the Wagtail dashboard, which is how Wagtail refuses a permission
          to a user who may use the admin
  redir   any other redirect (allowed: the view did its work and sent the user on)
  400     bad request (allowed through the access check, refused as input)
  403 404 405 as they are
"""

from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlsplit

from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

OUR_MODULES = ("lms.", "courses.")
OUR_APP_LABELS = ("people", "learning", "attendance", "assessments", "rotations", "records", "courses",
                  "certificates")


@dataclass(frozen=True)
class Route:
    route: str  # the full pattern, e.g. "me/archive/"
    name: str  # with its namespace, e.g. "wagtailsnippets_people_person:edit"; "" if unnamed
    view: str  # dotted path of the view function or class
    converters: tuple  # the kwargs the pattern takes

    @property
    def key(self):
        return self.name or self.route

    @property
    def is_admin(self):
        return self.route.startswith("admin/")

    @property
    def is_ours(self):
        """Our own view, or a Wagtail viewset over one of our models (snippets of our apps)."""
        if self.view.startswith(OUR_MODULES):
            return True
        namespace = self.name.split(":")[0] if ":" in self.name else ""
        return any(namespace.startswith((f"wagtailsnippets_{label}_", f"wagtailsnippetchoosers_{label}_"))
                   for label in OUR_APP_LABELS)


def _view_path(callback):
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return f"{view_class.__module__}.{view_class.__qualname__}"
    wrapped = getattr(callback, "__wrapped__", callback)
    return f"{getattr(wrapped, '__module__', '?')}.{getattr(wrapped, '__qualname__', '?')}"


def _walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = pattern.name or ""
            if name and namespace:
                name = f"{namespace}:{name}"
            converters = tuple(pattern.pattern.regex.groupindex)
            yield Route(prefix + str(pattern.pattern), name, _view_path(pattern.callback), converters)


def all_routes():
    """Every URL pattern of the project, as the resolver sees it (including hook-registered admin
    URLs and viewsets), in resolver order."""
    return list(_walk(get_resolver().url_patterns))


def outcome(response):
    status = response.status_code
    if 300 <= status < 400:
        path = urlsplit(response["Location"]).path
        if path in ("/login/", "/admin/login/"):
            return "login"
        if path == "/admin/":
            return "home"
        return "redir"
    if 200 <= status < 300:
        return "ok"
    return str(status)


def request_as(client: Client, method: str, url: str, data=None, **extra):
    """One request whose database writes are rolled back, so the next request (and persona) sees
    the world as it was built. The client's cookies are put back too (a logout, or a login that
    rotates the session, must not change who the next request is made as)."""
    from copy import deepcopy

    cookies = deepcopy(client.cookies)
    with transaction.atomic():
        sid = transaction.savepoint()
        try:
            if method == "get":
                response = client.get(url, **extra)
            else:
                response = client.post(url, data or {}, **extra)
            # read streamed bodies inside the savepoint (a FileResponse holds an open file)
            if response.streaming:
                b"".join(response.streaming_content)
        finally:
            transaction.savepoint_rollback(sid)
            client.cookies = cookies
    return response


@dataclass(frozen=True)
class Case:
    """One request of the matrix: how to build its kwargs from the world, and the expected outcome
    per persona (a string of 8 words in PERSONAS order)."""

    kwargs: Callable = None  # world -> kwargs for reverse()
    expect: str = ""
    url: Callable = None  # world -> URL, for patterns reverse() cannot build (regex with positional groups)
    method: str = "get"
    data: Callable = None
    note: str = ""
