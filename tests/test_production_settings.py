"""Production settings for plain http on loopback (`make production`): SECURE_SSL_REDIRECT=0 is a
decision, so check --deploy stays free of warnings; everything else stays as strict as behind TLS."""

import secrets

from tests.test_settings import run

CODE = ("import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, "
        "'security.W008' in s.SILENCED_SYSTEM_CHECKS, 'lms.security.PathCSPMiddleware' in s.MIDDLEWARE)")


def test_it_passes_the_deployment_checks_without_the_ssl_redirect():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], SECRET_KEY=secrets.token_urlsafe(48),
                 SECURE_SSL_REDIRECT="0")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNINGS" not in output


def test_it_switches_only_the_redirect_off():
    off = run(["-c", CODE], SECRET_KEY=secrets.token_urlsafe(48), SECURE_SSL_REDIRECT="0")
    assert off.returncode == 0, off.stderr
    assert off.stdout.split() == ["False", "True", "31536000", "True", "True"]
    on = run(["-c", CODE], SECRET_KEY=secrets.token_urlsafe(48))
    assert on.stdout.split() == ["True", "True", "31536000", "False", "True"]
