from django.conf import settings
from django.urls import include, path, re_path
from django.views.i18n import set_language
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from . import health, protected_media

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/setlang/", set_language, name="set_language"),
    path("", include("lms.people.urls")),
    path("me/", include("lms.learning.urls")),
    path("me/", include("lms.records.urls")),
    path("", include("lms.attendance.urls")),
    path("", include("lms.rotations.urls")),
    path("", include("lms.assessments.urls")),
    path("", include("lms.certificates.urls")),
    re_path(r"^%s(?P<path>.+)$" % settings.MEDIA_URL.lstrip("/"), protected_media.serve_media, name="media"),
    # Wagtail serves the course catalogue; keep it last.
    path("", include(wagtail_urls)),
]

# A database briefly unreachable answers 503 "try again", not 500 (lms.errors).
handler500 = "lms.errors.server_error"
