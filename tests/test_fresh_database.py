"""`migrate` alone turns an empty database into a working one: the catalogue home page, the roles
and the cache table all exist (no other setup step to forget)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

CHECK = """
from django.contrib.auth.models import Group
from django.core.cache import cache
from courses.models import HomePage
from lms.people import roles
cache.set("fresh", "yes")
assert cache.get("fresh") == "yes"
assert HomePage.objects.get().url == "/"
assert set(Group.objects.values_list("name", flat=True)) >= {roles.LEARNER, roles.TRAINER, roles.TRAINING_OFFICE,
                                                            roles.HR, roles.STREET_ADMIN}
print("fresh database ok")
"""


@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="checks the embedded default (SQLite) once")
def test_it_needs_nothing_but_migrate(tmp_path):
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(SQLITE_PATH=str(tmp_path / "fresh.sqlite3"), DJANGO_SETTINGS_MODULE="lms.settings.dev")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c", CHECK], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "fresh database ok" in result.stdout
