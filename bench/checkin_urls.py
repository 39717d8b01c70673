"""The site's URLs plus GET /bench/noop-get/: authenticated and session-backed like the check-in
scan (a GET from a phone camera), doing nothing else. Only bench/checkin_settings.py uses this."""

import os

from django.http import JsonResponse
from django.urls import path
from django.views.decorators.cache import never_cache

from heartbeat_urls import urlpatterns as heartbeat_urlpatterns

if os.environ.get("BENCH_WITHOUT_LEARNING_FEED"):
    # Diagnostic only (bench/checkin.py --without-learning-feed): measure the check-in without the
    # learning feed's completion and 学时 recompute that every status change triggers.
    from lms.attendance.signals import attendance_changed

    attendance_changed.disconnect(dispatch_uid="attendance-record-to-learning")


@never_cache
def noop_get(request):
    if not request.user.is_authenticated:
        return JsonResponse({"ok": False}, status=403)
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/noop-get/", noop_get, name="bench-noop-get"), *heartbeat_urlpatterns]
