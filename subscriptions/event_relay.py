"""Stored Stripe events reach a worker with nothing more in the webhook than the INSERT.

The webhook view commits the event with its first attempt due at once, and answers. A
thread in every worker's main process (`StripeEventRelay`, a worker bootstep) looks for
due events every POLL_SECONDS and sends their tasks: it claims up to BATCH of them as the
sweeper does (`FOR UPDATE SKIP LOCKED`, so each goes to one relay however many workers
run, and each is booked a lease, `events.SWEEP_LEASE`, after which it is due again if
its task never ran) and sends the tasks on one producer.

The webhook used to send the task itself (half a millisecond of CPU), then to push the
id onto a Redis list for this thread (one round trip, still a fifth of a webhook's time:
bench/README.md, P28-P33). Now PostgreSQL, where the event must be anyway, is the
queue, and a burst waits there: the relay sends nothing while QUEUE_LIMIT of its tasks
wait in the broker. So the broker's queue stays short, and an event's lease never runs
out while its task waits in a long queue (that would queue it twice).

An event whose task is lost (Redis down when it was sent, a worker killed mid-task) is
due again when its lease ends. Without a Redis broker (`make run`'s local fallback) or
with tasks run eagerly there is no relay: the view sends the task after commit.
"""

import logging
import threading
from datetime import datetime
from typing import Any

import redis
from celery import bootsteps, current_app
from django.db import close_old_connections, connection

logger = logging.getLogger(__name__)

# How long a relay waits, when it found fewer than BATCH due events, before it looks again.
POLL_SECONDS = 0.2
# Events claimed and sent at once.
BATCH = 100
# Tasks for events waiting in the broker's queue beyond which the relay sends no more:
# with four worker processes, a few seconds of work.
QUEUE_LIMIT = 200
# After a database, Redis or broker error the relay waits this long before it tries again.
ERROR_PAUSE_SECONDS = 1

_clients: dict[str, redis.Redis] = {}


def relay_enabled() -> bool:
    """A relay needs the broker's Redis and a worker; eager tasks have neither."""
    conf = current_app.conf  # the project's app (config.celery) is the default
    scheme = str(conf.broker_url or "").partition("://")[0]
    return scheme in ("redis", "rediss") and not conf.task_always_eager


def _client() -> redis.Redis:
    # One client per broker URL and process: redis-py clients are thread-safe and their
    # connection pools fork-aware.
    url = str(current_app.conf.broker_url)
    client = _clients.get(url)
    if client is None:
        client = _clients[url] = redis.Redis.from_url(url)
    return client


def _task() -> Any:
    from subscriptions import tasks

    return tasks.stripe_event_process


def tasks_queue() -> str:
    """The broker queue (a Redis list, for the default priority) event tasks go to."""
    return current_app.amqp.router.route({}, _task().name)["queue"].name


def tasks_send(event_pks: list[int]) -> None:
    """Send a task for each event, on one producer."""
    task = _task()
    with current_app.producer_or_acquire() as producer:
        for event_pk in event_pks:
            task.apply_async((event_pk,), producer=producer)


def relay_once(*, now: datetime | None = None) -> int:
    """Send tasks for up to BATCH due events, as many as the queue has room for; answer
    how many were sent."""
    from subscriptions.services.events import stripe_events_sweep

    room = QUEUE_LIMIT - _client().llen(tasks_queue())
    if room <= 0:
        return 0
    return stripe_events_sweep(limit=min(BATCH, room), now=now)


def relay_run(stop: threading.Event) -> None:
    """Relay until `stop` is set, surviving database, Redis and broker outages."""
    try:
        while not stop.is_set():
            # A connection PostgreSQL dropped (a restart) is replaced, as between requests.
            close_old_connections()
            try:
                sent = relay_once()
            except Exception:
                logger.exception("The Stripe event relay failed; it tries again in a second")
                stop.wait(ERROR_PAUSE_SECONDS)
                continue
            if sent < BATCH:
                stop.wait(POLL_SECONDS)
    finally:
        connection.close()


class Relay:
    """`relay_run` in a thread of its own, to start and stop."""

    def __init__(self) -> None:
        self.stop_requested = threading.Event()
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        self.stop_requested.clear()
        self.thread = threading.Thread(
            target=relay_run, args=(self.stop_requested,), name="stripe-event-relay", daemon=True
        )
        self.thread.start()

    def stop(self) -> None:
        self.stop_requested.set()
        if self.thread is not None:
            self.thread.join(ERROR_PAUSE_SECONDS + 10)
            self.thread = None

    terminate = stop


class StripeEventRelay(bootsteps.StartStopStep):
    """A worker bootstep: a `Relay` in the worker's main process, started after the pool
    (so no pool process is forked while the relay holds a lock), stopped at any shutdown."""

    label = "Stripe event relay"
    requires = ("celery.worker.components:Pool",)

    def include_if(self, parent: Any) -> bool:
        return relay_enabled()

    def create(self, parent: Any) -> Relay:  # type: ignore[override]  # kept as self.obj
        return Relay()
