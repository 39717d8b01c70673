"""/healthz: database and task queue checks, as JSON."""

import pytest

pytestmark = pytest.mark.django_db


def test_it_reports_healthy(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"status", "database", "task_queue", "task_clusters"}
    assert body["status"] == "ok"
    assert body["database"] is True
    assert body["task_queue"] is True
    assert isinstance(body["task_clusters"], int)


def test_it_is_not_cached(client):
    response = client.get("/healthz")
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_it_needs_no_login_and_shows_no_user_data(client, secretary):
    body = client.get("/healthz").content.decode()
    assert secretary.phone not in body


def test_it_accepts_only_get(client):
    assert client.post("/healthz").status_code == 405


def test_it_reports_a_broken_queue_as_unhealthy(client, settings):
    # A Redis broker pointing at a closed port: the queue check fails and the status says so.
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "redis": "redis://127.0.0.1:1/0"}
    settings.Q_CLUSTER.pop("orm", None)
    from django_q.conf import Conf

    original = Conf.ORM, getattr(Conf, "REDIS", None)
    Conf.ORM, Conf.REDIS = None, settings.Q_CLUSTER["redis"]
    try:
        response = client.get("/healthz")
    finally:
        Conf.ORM, Conf.REDIS = original
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] is True
    assert body["task_queue"] is False
