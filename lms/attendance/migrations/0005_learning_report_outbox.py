"""The learning report's outbox on the attendance record (see lms.attendance.learning_feed).

Records that exist already were reported by the task each change queued, so they start reported;
new records start unreported. The periodic report of what is left runs every minute."""

from django.db import migrations, models
from django.utils import timezone

SCHEDULE = ("attendance: report unreported attendance to learning", "lms.attendance.learning_feed.report_unreported", 1)


def create_schedule(apps, schema_editor):
    name, func, minutes = SCHEDULE
    apps.get_model("django_q", "Schedule").objects.update_or_create(name=name, defaults={
        "func": func, "schedule_type": "I", "minutes": minutes, "repeats": -1, "next_run": timezone.now()})


def delete_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=SCHEDULE[0]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("attendance", "0004_historicalattendancerecord_historicalleaverequest_and_more"),
    ]

    operations = [
        migrations.AddField(
            model_name="attendancerecord",
            name="learning_reported",
            field=models.BooleanField(default=True, editable=False, verbose_name="reported to learning"),
        ),
        migrations.AlterField(
            model_name="attendancerecord",
            name="learning_reported",
            field=models.BooleanField(default=False, editable=False, verbose_name="reported to learning"),
        ),
        migrations.AddIndex(
            model_name="attendancerecord",
            index=models.Index(condition=models.Q(("learning_reported", False)), fields=["session"],
                               name="attendance_record_unreported"),
        ),
        migrations.RunPython(create_schedule, delete_schedule),
    ]
