"""A stored event's id reaches a worker through the relay: one LPUSH in the webhook, a
thread in the worker that sends the task; nothing is lost while Redis is away."""

import base64
import json
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import redis
from celery.contrib.testing.worker import start_worker

from config.celery import app
from subscriptions.event_relay import relay_key, relay_once, relay_run
from subscriptions.models import StripeEvent
from tests.gifts import post_event

QUEUE = "default"


def _event(event_id: str) -> dict:
    # A type the site does not handle: stored, then marked processed without a Stripe call.
    return {
        "id": event_id,
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": int(time.time()),
        "livemode": False,
        "pending_webhooks": 1,
        "type": "customer.tax_id.created",
        "data": {"object": {"id": "txi_1", "object": "tax_id", "customer": "cus_1"}},
    }


def _redis() -> redis.Redis:
    return redis.Redis.from_url(app.conf.broker_url)


@pytest.fixture
def queues() -> Iterator[redis.Redis]:
    """The relay's list and the default queue, empty before and after."""
    store = _redis()
    store.delete(relay_key(), QUEUE)
    yield store
    store.delete(relay_key(), QUEUE)


def _queued_tasks(store: redis.Redis) -> list[tuple[str, list]]:
    """(task name, args) of each message waiting in the default queue, oldest first."""
    found = []
    for raw in reversed(store.lrange(QUEUE, 0, -1)):
        message = json.loads(raw)
        args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        found.append((message["headers"]["task"], args))
    return found


def wait_until(condition: Callable[[], bool], *, what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"Gave up waiting for {what}")
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_a_webhook_is_processed_by_a_real_worker_through_the_relay(client, queues):
    with start_worker(app, pool="solo", queues=[QUEUE], perform_ping_check=False):
        response = post_event(client, _event("evt_relayed"))

        assert response.status_code == 200
        wait_until(
            lambda: StripeEvent.objects.filter(
                stripe_id="evt_relayed", processed_at__isnull=False
            ).exists(),
            what="the worker to process the relayed event",
        )
    assert queues.llen(relay_key()) == 0
    relays = [thread for thread in threading.enumerate() if thread.name == "stripe-event-relay"]
    assert relays == [], "the relay stops with its worker"


@pytest.mark.django_db(transaction=True)
def test_the_webhook_pushes_only_the_id_and_the_relay_sends_one_task_per_id(client, queues):
    for number in range(3):
        assert post_event(client, _event(f"evt_batch_{number}")).status_code == 200
    stored = list(StripeEvent.objects.order_by("pk").values_list("pk", flat=True))

    assert queues.llen(QUEUE) == 0, "the webhook itself sends no Celery task"
    assert sorted(int(pk) for pk in queues.lrange(relay_key(), 0, -1)) == stored

    assert relay_once(timeout=1) == 3
    assert queues.llen(relay_key()) == 0
    assert _queued_tasks(queues) == [("subscriptions.stripe_event_process", [pk]) for pk in stored]
    assert relay_once(timeout=0.1) == 0


@pytest.mark.django_db(transaction=True)
def test_a_redelivered_unprocessed_event_is_relayed_again_and_a_processed_one_is_not(
    client, queues
):
    post_event(client, _event("evt_twice"))
    stored = StripeEvent.objects.get()
    relay_once(timeout=1)

    post_event(client, _event("evt_twice"))
    assert [int(pk) for pk in queues.lrange(relay_key(), 0, -1)] == [stored.pk]
    relay_once(timeout=1)

    StripeEvent.objects.filter(pk=stored.pk).update(processed_at=stored.received_at)
    response = post_event(client, _event("evt_twice"))
    assert response.json()["requeued"] is False
    assert queues.llen(relay_key()) == 0
    assert _queued_tasks(queues) == [("subscriptions.stripe_event_process", [stored.pk])] * 2


@pytest.mark.django_db(transaction=True)
def test_the_relay_outlives_a_redis_outage_and_relays_once_redis_is_back(queues, caplog):
    app.pool  # noqa: B018 (the producer pool, made now on the live broker)
    live_url = app.conf.broker_url
    stop = threading.Event()
    # Nothing listens on port 1: every Redis call of the relay fails.
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    thread = threading.Thread(target=relay_run, args=(stop,), daemon=True)
    try:
        thread.start()
        time.sleep(0.5)
        assert thread.is_alive(), "the relay must not die with Redis"
        assert "The Stripe event relay failed" in caplog.text
        app.conf.broker_url = live_url
        queues.lpush(relay_key(), 4242)
        wait_until(lambda: queues.llen(QUEUE) == 1, what="the relay to send the task")
    finally:
        app.conf.broker_url = live_url
        stop.set()
        thread.join(10)
    assert not thread.is_alive()
    assert _queued_tasks(queues) == [("subscriptions.stripe_event_process", [4242])]


@pytest.mark.django_db(transaction=True)
def test_without_a_relay_tasks_run_at_once(client, queues, celery_eager):
    # Eager tasks (and make run's broker without Redis) have no worker to relay to.
    post_event(client, _event("evt_eager"))

    assert StripeEvent.objects.get().processed_at is not None
    assert queues.llen(relay_key()) == 0


def test_the_webhook_is_still_behind_the_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = client.post("/stripe/webhook/", data=b"{}", content_type="application/json")

    assert response.status_code == 301
    assert response["Location"].startswith("https://")
