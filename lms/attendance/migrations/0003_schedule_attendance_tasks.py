"""The periodic django-q2 tasks of attendance: the closing sweep (every 5 minutes) and the
day-before reminders (hourly). Idempotent by schedule name; the tasks themselves are too."""

from django.db import migrations
from django.utils import timezone

SCHEDULES = [
    ("attendance: close ended sessions", "lms.attendance.tasks.close_ended_sessions", 5),
    ("attendance: day-before reminders", "lms.attendance.tasks.send_session_reminders", 60),
]


def create_schedules(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    for name, func, minutes in SCHEDULES:
        Schedule.objects.update_or_create(name=name, defaults={
            "func": func, "schedule_type": "I", "minutes": minutes, "repeats": -1, "next_run": timezone.now()})


def delete_schedules(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name__in=[name for name, _f, _m in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("attendance", "0002_checkin_leave_calendar"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedules, delete_schedules)]
