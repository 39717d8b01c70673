"""Periodic django-q2 tasks (scheduled by migration 0003). Both are idempotent: django-q2 delivers
at least once, and several clusters may run them at the same time."""

import logging

from django.conf import settings
from django.utils import timezone

from .models import Session

logger = logging.getLogger(__name__)


def close_ended_sessions(now=None):
    """The closing sweep: every ended, not cancelled session not yet closed marks its enrolled
    persons without a record absent (channel session_close). Returns how many were marked."""
    now = now or timezone.now()
    marked = 0
    for session in Session.objects.active().filter(ends_at__lte=now, closed_at__isnull=True).order_by("ends_at"):
        marked += session.close(now)
    if marked:
        logger.info("closing sweep marked %s persons absent", marked)
    return marked


def send_session_reminders(now=None):
    """The day-before reminder emails (lms.attendance.calendar.send_reminders)."""
    from .calendar import send_reminders

    return send_reminders(now, base_url=getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/"))
