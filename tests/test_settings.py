"""Production settings: refuse to start without a real SECRET_KEY, and pass `check --deploy`.
Run in subprocesses, since settings are read once per process."""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

BASE_DIR = settings.BASE_DIR
IMPORT_SETTINGS = "import django; django.setup(); print('started')"


def run(args, **env):
    """Only the variables given here: nothing from the test process (another test's
    DJANGO_ALLOW_ASYNC_UNSAFE, a developer's DEBUG) may leak into what production sees."""
    environ = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR"}}
    environ.update(DJANGO_SETTINGS_MODULE="lms.settings.production", **env)
    return subprocess.run([sys.executable, *args], cwd=BASE_DIR, env=environ, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("secret_key", [None, "", "dev-only-insecure-key-change-me", "short-but-random-Zq81",
                                        "a" * 64])
def test_it_refuses_to_start_without_a_real_secret_key(secret_key):
    env = {} if secret_key is None else {"SECRET_KEY": secret_key}
    result = run(["-c", IMPORT_SETTINGS], **env)
    assert result.returncode != 0
    assert "started" not in result.stdout
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_it_starts_with_a_real_secret_key():
    result = run(["-c", IMPORT_SETTINGS], SECRET_KEY=secrets.token_urlsafe(48))
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_it_passes_the_deployment_checks():
    result = run(["manage.py", "check", "--deploy"], SECRET_KEY=secrets.token_urlsafe(48),
                 ALLOWED_HOSTS="touyan.example.org")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "no issues" in output, output
    assert "WARNINGS" not in output


def test_it_turns_debug_off_in_production_whatever_the_environment():
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    result = run(["-c", code], SECRET_KEY=secrets.token_urlsafe(48), DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_it_runs_the_tests_with_fast_hashing_and_debug_off():
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]
    assert settings.DEBUG is False
