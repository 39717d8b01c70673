"""Optional second factor (TOTP) for staff: enrolment with a QR code, the code asked after every
login once enrolled, learners never asked and unable to enrol."""

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db

ENROL = "/me/two-factor/"
VERIFY = "/me/two-factor/verify/"


def code_for(device, offset=0):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


def log_in(client, person, password):
    response = client.post("/login/", {"username": person.phone, "password": password})
    assert response.status_code == 302
    return client


@pytest.fixture
def enrolled(training_office):
    device = TOTPDevice.objects.create(user=training_office.user, name="Touyan", confirmed=True)
    return training_office, device


def test_it_refuses_enrolment_to_learners(client_for, secretary):
    assert client_for(secretary).get(ENROL).status_code == 403
    assert not TOTPDevice.objects.filter(user=secretary.user).exists()


def test_it_never_asks_a_learner_for_a_code(client, secretary, password):
    log_in(client, secretary, password)
    assert client.get("/me/").status_code == 200
    assert client.get(VERIFY)["Location"] == reverse("my-learning")  # nothing to verify


def test_it_enrols_staff_with_a_qr_code_and_a_first_code(client, training_office, password):
    log_in(client, training_office, password)
    page = client.get(ENROL)
    assert page.status_code == 200
    content = page.content.decode()
    assert 'src="data:image/svg+xml' in content
    device = TOTPDevice.objects.get(user=training_office.user)
    assert device.confirmed is False
    assert client.post(ENROL, {"code": "000000" if code_for(device) != "000000" else "111111"}).status_code == 200
    device.refresh_from_db()
    assert device.confirmed is False
    device.throttle_reset()  # a wrong code throttles the device for a second (django-otp), not the point here
    response = client.post(ENROL, {"code": code_for(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed is True
    assert client.get("/admin/").status_code == 200  # this login gave the code while enrolling


def test_it_asks_enrolled_staff_for_the_code_before_the_admin(client, enrolled, password):
    person, device = enrolled
    log_in(client, person, password)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=/admin/"
    assert client.get("/me/")["Location"].startswith(VERIFY)
    wrong = client.post(VERIFY, {"code": "12345x", "next": "/admin/"})
    assert wrong.status_code == 200
    assert client.get("/admin/").status_code == 302
    response = client.post(VERIFY, {"code": code_for(device), "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_it_asks_again_after_the_next_login(client, enrolled, password):
    person, device = enrolled
    log_in(client, person, password)
    client.post(VERIFY, {"code": code_for(device), "next": "/admin/"})
    client.post(reverse("logout"))
    log_in(client, person, password)
    assert client.get("/admin/")["Location"].startswith(VERIFY)


def test_it_does_not_redirect_off_site_after_the_code(client, enrolled, password):
    person, device = enrolled
    log_in(client, person, password)
    response = client.post(VERIFY, {"code": code_for(device), "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == reverse("my-learning")


def test_it_lets_staff_without_a_device_in_without_a_code(client, training_office, password):
    log_in(client, training_office, password)
    assert client.get("/admin/").status_code == 200
