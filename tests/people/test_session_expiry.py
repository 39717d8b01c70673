"""Sessions expire: a login lasts SESSION_COOKIE_AGE (12 hours by default), not until the browser closes
or for Django's default two weeks."""

import datetime

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_it_limits_a_login_to_twelve_hours(client, secretary, password):
    assert settings.SESSION_COOKIE_AGE == 12 * 60 * 60
    response = client.post("/login/", {"username": secretary.phone, "password": password})
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE
    stored = Session.objects.get(session_key=cookie.value)
    lasts = stored.expire_date - timezone.now()
    assert datetime.timedelta(hours=11, minutes=59) < lasts <= datetime.timedelta(hours=12)


def test_it_logs_out_a_session_past_its_age(client, secretary, password):
    client.post("/login/", {"username": secretary.phone, "password": password})
    assert client.get("/me/").status_code == 200
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get("/me/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
