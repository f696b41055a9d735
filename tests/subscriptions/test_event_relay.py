"""A stored event reaches a worker through the relay: the webhook only commits the event,
due at once; a thread in the worker claims due events and sends their tasks, no more than
the broker's queue has room for; nothing is lost while Redis or PostgreSQL is away."""

import base64
import json
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.db import connection
from django.db.models import F

from config.celery import app
from subscriptions import event_relay
from subscriptions.event_relay import relay_once, relay_run, tasks_queue
from subscriptions.models import StripeEvent
from subscriptions.services.events import SWEEP_LEASE
from tests.gifts import post_event

QUEUE = "default"
TASK = "subscriptions.stripe_event_process"


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
def queue() -> Iterator[redis.Redis]:
    """The default queue, empty before and after."""
    store = _redis()
    store.delete(QUEUE)
    yield store
    store.delete(QUEUE)


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


def test_event_tasks_go_to_the_default_queue():
    assert tasks_queue() == QUEUE


@pytest.mark.django_db(transaction=True)
def test_a_webhook_is_processed_by_a_real_worker_through_the_relay(client, queue):
    with start_worker(app, pool="solo", queues=[QUEUE], perform_ping_check=False):
        response = post_event(client, _event("evt_relayed"))

        assert response.status_code == 200
        wait_until(
            lambda: StripeEvent.objects.filter(
                stripe_id="evt_relayed", processed_at__isnull=False
            ).exists(),
            what="the worker to process the relayed event",
        )
    relays = [thread for thread in threading.enumerate() if thread.name == "stripe-event-relay"]
    assert relays == [], "the relay stops with its worker"


@pytest.mark.django_db(transaction=True)
def test_the_webhook_only_stores_and_the_relay_sends_one_task_per_due_event(client, queue):
    for number in range(3):
        assert post_event(client, _event(f"evt_batch_{number}")).status_code == 200
    stored = list(StripeEvent.objects.order_by("pk"))

    assert queue.llen(QUEUE) == 0, "the webhook itself sends no Celery task"
    assert all(event.next_attempt_at == event.received_at for event in stored), "due at once"

    assert relay_once() == 3
    assert _queued_tasks(queue) == [(TASK, [event.pk]) for event in stored]
    for event in stored:
        event.refresh_from_db()
        assert event.next_attempt_at >= event.received_at + SWEEP_LEASE, "leased"
    assert relay_once() == 0, "a leased event is not sent twice"


@pytest.mark.django_db(transaction=True)
def test_a_redelivered_unprocessed_event_is_relayed_again_and_a_processed_one_is_not(client, queue):
    post_event(client, _event("evt_twice"))
    stored = StripeEvent.objects.get()
    assert relay_once() == 1

    response = post_event(client, _event("evt_twice"))
    assert response.json()["requeued"] is True
    assert relay_once() == 1

    StripeEvent.objects.filter(pk=stored.pk).update(processed_at=stored.received_at)
    response = post_event(client, _event("evt_twice"))
    assert response.json()["requeued"] is False
    assert relay_once() == 0
    assert _queued_tasks(queue) == [(TASK, [stored.pk])] * 2


@pytest.mark.django_db(transaction=True)
def test_a_burst_waits_in_the_database_while_the_queue_is_full(client, queue, monkeypatch):
    monkeypatch.setattr(event_relay, "QUEUE_LIMIT", 4)
    monkeypatch.setattr(event_relay, "BATCH", 3)
    for number in range(6):
        post_event(client, _event(f"evt_burst_{number}"))

    assert [relay_once(), relay_once(), relay_once()] == [3, 1, 0]
    assert queue.llen(QUEUE) == 4
    unleased = StripeEvent.objects.filter(next_attempt_at=F("received_at"))
    assert unleased.count() == 2, "not leased: due as soon as there is room"

    queue.rpop(QUEUE, 2)  # a worker took two tasks
    assert relay_once() == 2
    assert (
        sorted(args[0] for _, args in _queued_tasks(queue))
        == sorted(StripeEvent.objects.values_list("pk", flat=True))[2:]
    )


@pytest.mark.django_db(transaction=True)
def test_events_are_due_again_at_once_when_the_broker_refuses_their_tasks(
    client, queue, monkeypatch
):
    post_event(client, _event("evt_refused"))

    def broker_down(event_pks):
        raise ConnectionError("Redis is not answering")

    monkeypatch.setattr("subscriptions.services.events.tasks_send", broker_down)
    assert relay_once() == 0
    event = StripeEvent.objects.get()
    assert event.next_attempt_at < event.received_at + SWEEP_LEASE, "not leased"

    monkeypatch.undo()
    assert relay_once() == 1
    assert _queued_tasks(queue) == [(TASK, [event.pk])]


@pytest.mark.django_db(transaction=True)
def test_the_relay_outlives_redis_and_database_outages(client, queue, caplog):
    app.pool  # noqa: B018 (the producer pool, made now on the live broker)
    live_url = app.conf.broker_url
    stop = threading.Event()
    relay_backends: list[int] = []
    # Nothing listens on port 1: every Redis call of the relay fails.
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    thread = threading.Thread(target=relay_run, args=(stop,), daemon=True)
    try:
        thread.start()
        time.sleep(0.5)
        assert thread.is_alive(), "the relay must not die with Redis"
        assert "The Stripe event relay failed" in caplog.text
        app.conf.broker_url = live_url
        post_event(client, _event("evt_after_redis"))
        wait_until(lambda: queue.llen(QUEUE) == 1, what="the relay to send the task")

        # PostgreSQL drops the relay's connection (a restart): it connects again.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
            relay_backends = [row[0] for row in cursor.fetchall()]
            for pid in relay_backends:
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        post_event(client, _event("evt_after_postgres"))
        wait_until(lambda: queue.llen(QUEUE) == 2, what="the relay to send after the restart")
    finally:
        app.conf.broker_url = live_url
        stop.set()
        thread.join(10)
    assert relay_backends, "the relay had a database connection of its own"
    assert not thread.is_alive()
    stored = StripeEvent.objects.order_by("pk").values_list("pk", flat=True)
    assert _queued_tasks(queue) == [(TASK, [pk]) for pk in stored]


@pytest.mark.django_db(transaction=True)
def test_a_webhook_on_a_connection_postgresql_dropped_is_stored_on_a_new_one(
    client, queue, monkeypatch
):
    from subscriptions.services import events

    # Production's kept, health-checked connections (the test settings keep none).
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)
    monkeypatch.setitem(connection.settings_dict, "CONN_HEALTH_CHECKS", True)
    connection.close()
    assert post_event(client, _event("evt_first")).status_code == 200
    kept = connection.connection
    assert kept is not None, "the request kept its connection"
    pid = kept.info.backend_pid
    # Drop it from another session, as a PostgreSQL restart would.
    other = connection.copy()
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()

    store = events._store
    tries: list[str] = []

    def counted_store(cursor, *, event, received_at):
        tries.append(event.id)
        return store(cursor, event=event, received_at=received_at)

    monkeypatch.setattr(events, "_store", counted_store)
    response = post_event(client, _event("evt_second"))

    assert response.status_code == 200
    # No health check ran first: the INSERT found the connection dead, and ran again.
    assert tries == ["evt_second", "evt_second"]
    assert connection.connection is not kept
    assert set(StripeEvent.objects.values_list("stripe_id", flat=True)) == {
        "evt_first",
        "evt_second",
    }


@pytest.mark.django_db(transaction=True)
def test_without_a_relay_tasks_run_at_once(client, queue, celery_eager):
    # Eager tasks (and make run's broker without Redis) have no worker to relay to.
    post_event(client, _event("evt_eager"))

    assert StripeEvent.objects.get().processed_at is not None
    assert queue.llen(QUEUE) == 0
