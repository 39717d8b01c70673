"""The site's URLs plus POST /bench/noop/: authenticated, CSRF-checked, session-backed like the
heartbeat, and doing nothing else. Only bench/heartbeat_settings.py uses this URLconf."""

from django.http import JsonResponse
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from lms.urls import urlpatterns as site_urlpatterns


@never_cache
@require_POST
def noop(request):
    if not request.user.is_authenticated:
        return JsonResponse({"ok": False}, status=403)
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/noop/", noop, name="bench-noop"), *site_urlpatterns]
