"""A request that fails because the database is briefly unreachable gets 503 with Retry-After and
a "try again" page; any other failure gets the plain 500 page."""

import pytest
from django.db import OperationalError
from django.urls import path

pytestmark = pytest.mark.django_db


def database_gone(request):
    raise OperationalError("terminating connection due to administrator command")


def broken(request):
    raise ValueError("a bug")


urlpatterns = [path("database-gone/", database_gone), path("broken/", broken)]
handler500 = "lms.errors.server_error"


@pytest.fixture
def client_without_exceptions(client, settings):
    settings.ROOT_URLCONF = __name__
    client.raise_request_exception = False
    return client


def test_it_asks_to_retry_when_the_database_is_unreachable(client_without_exceptions):
    response = client_without_exceptions.get("/database-gone/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "请几秒钟后重试" in response.content.decode()


def test_any_other_failure_is_a_plain_server_error(client_without_exceptions):
    response = client_without_exceptions.get("/broken/")
    assert response.status_code == 500 and not response.has_header("Retry-After")
    assert "系统暂时出错" in response.content.decode()


def test_the_project_uses_the_handler():
    import lms.urls

    assert lms.urls.handler500 == "lms.errors.server_error"
