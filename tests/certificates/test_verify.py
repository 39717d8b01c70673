"""The public verification page and its JSON: status, masked name and the facts a verifier needs;
unknown codes reveal nothing; lookups are rate-limited per client address."""

import pytest
from django.test import Client
from django.urls import reverse

from lms.certificates.views import mask_name

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clear_cache():
    from django.core.cache import cache

    cache.clear()


def page(code):
    return Client().get(reverse("certificate-verify", args=[code]))


def as_json(code):
    return Client().get(reverse("certificate-verify-json", args=[code])).json()


def test_it_masks_names():
    assert mask_name("张晓明") == "张*明"
    assert mask_name("张明") == "张*"
    assert mask_name("欧阳晓明") == "欧**明"
    assert mask_name("张") == "*"


def test_it_shows_a_valid_certificate_without_login(secretary, make_certificate):
    certificate = make_certificate(secretary)
    response = page(certificate.code)
    assert response.status_code == 200
    body = response.content.decode()
    assert "证书有效" in body
    assert "张*记" in body and "张书记" not in body
    assert "2026年第一季度头雁讲坛" in body and "中共示范区委组织部" in body and certificate.serial in body
    assert secretary.phone not in body
    data = as_json(certificate.code)
    assert data["found"] is True and data["status"] == "valid" and data["name"] == "张*记"
    assert data["hours"] == "6" and data["course"] == "2026年第一季度头雁讲坛"
    assert "phone" not in data and "张书记" not in str(data)
    assert Client().get(reverse("certificate-verify", args=[certificate.code]) + "?format=json").json() == data


def test_it_shows_superseded_and_revoked_states(secretary, make_certificate, training_office):
    old = make_certificate(secretary, status="superseded")
    new = make_certificate(secretary, version=2, supersedes=old)
    assert "已被新版本取代" in page(old.code).content.decode()
    assert as_json(old.code)["status"] == "superseded"
    new.revoke("信息有误", by=training_office.user)
    body = page(new.code).content.decode()
    assert "证书已被撤销" in body
    data = as_json(new.code)
    assert data["status"] == "revoked" and data["revoked_on"]
    assert "信息有误" not in body and "信息有误" not in str(data)  # the reason is internal


def test_it_says_an_unknown_code_is_unknown_and_nothing_else(secretary, make_certificate):
    make_certificate(secretary)
    response = page("no-such-code-at-all")
    assert response.status_code == 404
    body = response.content.decode()
    assert "未找到" in body or "没有" in body
    assert "张" not in body.split("<main")[1]
    response = Client().get(reverse("certificate-verify-json", args=["no-such-code"]))
    assert response.status_code == 404 and response.json()["found"] is False


def test_it_rate_limits_lookups_per_client(settings, secretary, make_certificate):
    settings.CERTIFICATE_VERIFY_LIMIT_PER_MINUTE = 3
    certificate = make_certificate(secretary)
    client = Client(REMOTE_ADDR="203.0.113.7")
    url = reverse("certificate-verify", args=[certificate.code])
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]
    response = client.get(url)
    assert response.status_code == 429
    assert "查询过于频繁" in response.content.decode()
    assert client.get(reverse("certificate-verify-json", args=["x"])).status_code == 429
    assert Client(REMOTE_ADDR="203.0.113.8").get(url).status_code == 200


def test_it_goes_from_the_form_to_the_page(secretary, make_certificate):
    certificate = make_certificate(secretary)
    response = Client().get(reverse("certificate-verify-form"), {"code": certificate.code})
    assert response.status_code == 302 and response.url == reverse("certificate-verify", args=[certificate.code])
    assert Client().get(reverse("certificate-verify-form")).status_code == 200
