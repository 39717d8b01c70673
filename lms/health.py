"""/healthz: is the database reachable, and can the task queue take work?"""

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()[0] == 1
    except Exception:
        return False


def _queue_ok() -> bool:
    try:
        from django_q.brokers import get_broker

        return bool(get_broker().ping())
    except Exception:
        return False


def _clusters() -> int:
    try:
        from django_q.status import Stat

        return len(Stat.get_all())
    except Exception:
        return 0


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database_ok(), "task_queue": _queue_ok()}
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "error", **checks, "task_clusters": _clusters()}
    return JsonResponse(body, status=200 if healthy else 503)
