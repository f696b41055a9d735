import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.cache import cache
from django.db import OperationalError, connection
from django.test import override_settings

from config.celery import HEARTBEAT_CACHE_KEY, app, heartbeat

pytestmark = pytest.mark.django_db

UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        # Nothing listens on port 1, so every cache call fails at once.
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}


@pytest.fixture(autouse=True)
def _no_heartbeat():
    cache.delete(HEARTBEAT_CACHE_KEY)
    yield
    cache.delete(HEARTBEAT_CACHE_KEY)


def test_healthy_when_database_redis_and_worker_answer(client):
    cache.set(HEARTBEAT_CACHE_KEY, time.time())

    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert [body[name]["ok"] for name in ("database", "redis", "worker")] == [True] * 3
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]


def test_unavailable_without_any_worker_heartbeat(client):
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["worker"] == {"ok": False, "error": "no heartbeat yet"}
    assert response.json()["database"]["ok"]


def test_unavailable_when_the_last_heartbeat_is_stale(client, settings):
    cache.set(HEARTBEAT_CACHE_KEY, time.time() - settings.WORKER_HEARTBEAT_MAX_AGE - 5)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["worker"]["ok"] is False
    assert response.json()["worker"]["heartbeat_age"] > settings.WORKER_HEARTBEAT_MAX_AGE


def test_unavailable_when_redis_is_down(client):
    with override_settings(CACHES=UNREACHABLE_REDIS):
        response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["redis"]["ok"] is False
    assert body["worker"]["ok"] is False
    assert body["database"]["ok"] is True


def test_unavailable_when_the_database_is_down(client, monkeypatch):
    cache.set(HEARTBEAT_CACHE_KEY, time.time())

    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == {"ok": False, "error": "OperationalError"}
    assert response.json()["redis"]["ok"] is True


def test_post_is_not_allowed(client):
    assert client.post("/healthz").status_code == 405


# Celery's Django fix-up closes the database connection when the worker starts, as it
# would in a forked worker; a transactional test can simply reconnect afterwards.
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_on_the_redis_broker_makes_the_site_healthy(client):
    app.loader.import_module("celery.contrib.testing.tasks")
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        heartbeat.delay()
        deadline = time.time() + 10
        while cache.get(HEARTBEAT_CACHE_KEY) is None and time.time() < deadline:
            time.sleep(0.1)

    response = client.get("/healthz")

    assert response.status_code == 200, response.json()
    assert response.json()["worker"]["heartbeat_age"] < 15
