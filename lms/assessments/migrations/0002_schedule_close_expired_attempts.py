"""The periodic sweep closing attempts whose time is up (every 5 minutes). Idempotent by name."""

from django.db import migrations
from django.utils import timezone

NAME = "assessments: close expired attempts"


def create_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.update_or_create(name=NAME, defaults={
        "func": "lms.assessments.tasks.close_expired_attempts", "schedule_type": "I", "minutes": 5, "repeats": -1,
        "next_run": timezone.now()})


def delete_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0001_question_bank_quizzes_attempts"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedule, delete_schedule)]
