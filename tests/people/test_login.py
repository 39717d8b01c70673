"""Logging in by mobile number or username, wrong passwords, lockout (django-axes), logout."""

import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from lms.people.forms import LoginForm

pytestmark = pytest.mark.django_db

LOGIN = "/login/"


def zh(message):
    """The message as a zh-hans page shows it (the msgid until the catalogue is compiled)."""
    with translation.override("zh-hans"):
        return translation.gettext(message) if isinstance(message, str) else str(message)


def catalogue_is_compiled():
    from django.conf import settings

    return any((path / "zh_Hans" / "LC_MESSAGES" / "django.mo").exists() for path in settings.LOCALE_PATHS)


def login(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def is_logged_in_as(client, person):
    return str(client.session.get("_auth_user_id")) == str(person.user.pk)


def test_it_shows_the_login_page(client):
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert 'name="username"' in response.content.decode()
    assert 'name="password"' in response.content.decode()


def test_it_logs_in_by_phone(client, secretary, password):
    response = login(client, secretary.phone, password)
    assert response.status_code == 302
    assert response["Location"] == reverse("my-learning")
    assert is_logged_in_as(client, secretary)


def test_it_logs_in_by_phone_when_the_username_differs(client, trainer, password):
    assert trainer.user.username != trainer.phone
    assert login(client, trainer.phone, password).status_code == 302
    assert is_logged_in_as(client, trainer)


def test_it_logs_in_by_username(client, trainer, password):
    assert login(client, "trainer", password).status_code == 302
    assert is_logged_in_as(client, trainer)


def test_it_ignores_surrounding_spaces_in_the_phone(client, secretary, password):
    assert login(client, f" {secretary.phone} ", password).status_code == 302
    assert is_logged_in_as(client, secretary)


def test_it_shows_a_clear_chinese_error_for_a_wrong_password(client, secretary):
    response = login(client, secretary.phone, "not-the-password")
    assert response.status_code == 200
    assert not is_logged_in_as(client, secretary)
    message = zh(LoginForm.error_messages["invalid_login"])
    assert escape(message) in response.content.decode()
    if catalogue_is_compiled():
        assert re.search(r"[\u4e00-\u9fff]", message), "the wrong-password message is not translated"


def test_it_shows_the_same_error_for_an_unknown_login(client, db, password):
    response = login(client, "13999999999", password)
    assert response.status_code == 200
    assert escape(zh(LoginForm.error_messages["invalid_login"])) in response.content.decode()


def test_it_locks_the_account_after_five_wrong_passwords(client, secretary, password):
    for _attempt in range(4):
        assert login(client, secretary.phone, "wrong").status_code == 200
    response = login(client, secretary.phone, "wrong")  # the fifth failure locks
    assert response.status_code == 429
    response = login(client, secretary.phone, password)
    assert response.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in response.templates]
    assert escape(zh("Too many failed logins")) in response.content.decode()
    assert not is_logged_in_as(client, secretary)


def test_it_keeps_the_lock_when_the_phone_is_padded_with_spaces(client, secretary, password):
    for _attempt in range(5):
        login(client, secretary.phone, "wrong")
    assert login(client, f" {secretary.phone} ", password).status_code == 429
    assert not is_logged_in_as(client, secretary)


def test_it_counts_phone_and_username_failures_together(client, trainer, password):
    for _attempt in range(3):
        login(client, trainer.phone, "wrong")
    for _attempt in range(2):
        login(client, trainer.user.username, "wrong")
    assert login(client, trainer.user.username, password).status_code == 429
    assert login(client, trainer.phone, password).status_code == 429
    assert not is_logged_in_as(client, trainer)


def test_it_does_not_lock_other_accounts(client, secretary, other_secretary, password):
    for _attempt in range(5):
        login(client, secretary.phone, "wrong")
    assert login(client, other_secretary.phone, password).status_code == 302
    assert is_logged_in_as(client, other_secretary)


def test_it_forgets_failures_after_a_successful_login(client, secretary, password):
    for _attempt in range(4):
        login(client, secretary.phone, "wrong")
    assert login(client, secretary.phone, password).status_code == 302
    client.post(reverse("logout"))
    for _attempt in range(4):
        assert login(client, secretary.phone, "wrong").status_code == 200
    assert login(client, secretary.phone, password).status_code == 302


def test_it_refuses_an_inactive_person(client, secretary, password):
    secretary.is_active = False
    secretary.save()
    response = login(client, secretary.phone, password)
    assert response.status_code == 200
    assert not is_logged_in_as(client, secretary)
    assert response.context["form"].non_field_errors()


def test_it_refuses_an_inactive_user(client, secretary, password):
    secretary.user.is_active = False
    secretary.user.save()
    assert login(client, secretary.phone, password).status_code == 200
    assert not is_logged_in_as(client, secretary)


def test_it_redirects_to_next_after_login(client, secretary, password):
    response = client.get(reverse("profile"))
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/me/profile/"
    response = login(client, secretary.phone, password, next="/me/profile/")
    assert response.status_code == 302
    assert response["Location"] == "/me/profile/"


def test_it_ignores_a_next_to_another_site(client, secretary, password):
    response = login(client, secretary.phone, password, next="https://evil.example.com/")
    assert response.status_code == 302
    assert response["Location"] == reverse("my-learning")


def test_it_sends_a_logged_in_user_away_from_the_login_page(client_for, secretary):
    response = client_for(secretary).get(LOGIN)
    assert response.status_code == 302
    assert response["Location"] == reverse("my-learning")


def test_it_logs_out_only_by_post(client_for, secretary):
    client = client_for(secretary)
    assert client.get(reverse("logout")).status_code == 405
    assert is_logged_in_as(client, secretary)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("my-learning")).status_code == 302


def test_it_needs_a_csrf_token_to_log_in(secretary, client_for, password):
    client = client_for(None, enforce_csrf_checks=True)
    assert login(client, secretary.phone, password).status_code == 403


@pytest.mark.parametrize("header, expected", [
    ("", "10.0.0.1"),  # clients connect directly: the socket's address
    ("HTTP_X_REAL_IP", "203.0.113.9"),  # behind a proxy: the address it passes on, first of a list
])
def test_it_takes_the_client_address_from_the_configured_proxy_header(rf, settings, header, expected):
    from lms.people.auth import client_address

    settings.CLIENT_IP_HEADER = header
    request = rf.get("/", HTTP_X_REAL_IP="203.0.113.9, 10.0.0.2", REMOTE_ADDR="10.0.0.1")
    assert client_address(request) == expected
    assert client_address(rf.get("/", REMOTE_ADDR="10.0.0.1")) == "10.0.0.1"  # header missing


def test_behind_a_proxy_a_lockout_holds_only_the_failing_client(client, settings, secretary, password):
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"

    def login_via_proxy(secret, client_ip):  # every request reaches us from the proxy's REMOTE_ADDR
        return client.post(LOGIN, {"username": secretary.phone, "password": secret}, HTTP_X_REAL_IP=client_ip)

    for _attempt in range(5):
        login_via_proxy("wrong", "203.0.113.9")
    assert login_via_proxy(password, "203.0.113.9").status_code == 429
    # The same proxy passes on another client: the secretary on their own phone.
    assert login_via_proxy(password, "198.51.100.7").status_code == 302
    assert is_logged_in_as(client, secretary)
