"""Stored Stripe events reach a worker with one Redis round trip from the webhook.

Sending a Celery task costs about half a millisecond of CPU (routing, headers, a new
redis-py client and two round trips), more than the rest of a webhook request together.
So the webhook view pushes the stored event's id onto a Redis list, one LPUSH, and
a thread in every worker process (`StripeEventRelay`, a worker bootstep) pops the ids and
sends their tasks. Each id goes to one relay, however many workers run.

An id lost on the way (Redis down at the push, a worker killed between the pop and the
send) loses nothing: the event is already committed, and the sweeper queues it when its
next attempt comes, a minute after it arrived (`events.SWEEP_GRACE`), as it does for an
event whose task the broker dropped.

Without a Redis broker (`make run`'s local fallback) or with tasks run eagerly, there is
no relay and the task is sent directly.
"""

import logging
import threading
from typing import Any

import redis
from celery import bootsteps, current_app
from django.conf import settings

logger = logging.getLogger(__name__)

# How long a relay waits on an empty list before it looks whether it should stop.
POP_TIMEOUT_SECONDS = 1
# Ids sent on one producer at a time when events arrive faster than they are relayed.
BATCH = 100
# After a Redis or broker error the relay waits this long before it tries again.
ERROR_PAUSE_SECONDS = 1

_clients: dict[str, redis.Redis] = {}


def relay_key() -> str:
    # `make run` prefixes queues with its checkout, so two checkouts can share a Redis.
    return f"{settings.TASK_QUEUE_PREFIX}stripe-events:received"


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


def stripe_event_relay_push(event_pk: int) -> None:
    """Have a worker process this stored event soon. Never raises: an event that cannot
    be pushed is left to the sweeper."""
    try:
        if relay_enabled():
            _client().lpush(relay_key(), event_pk)
        else:
            _task_send([event_pk])
    except Exception:
        logger.exception("Could not queue Stripe event %s; the sweeper will", event_pk)


def _task_send(event_pks: list[int]) -> None:
    from subscriptions import tasks

    with current_app.producer_or_acquire() as producer:
        for event_pk in event_pks:
            tasks.stripe_event_process.apply_async((event_pk,), producer=producer)


def relay_once(*, timeout: float = POP_TIMEOUT_SECONDS) -> int:
    """Wait up to `timeout` seconds for pushed ids, send a task for each of up to BATCH of
    them, and answer how many were sent."""
    client = _client()
    key = relay_key()
    # LPUSH in, (B)RPOP out: oldest first.
    first = client.brpop([key], timeout=timeout)
    if first is None:
        return 0
    more = client.rpop(key, BATCH - 1) or []
    event_pks = [int(value) for value in (first[1], *more)]
    try:
        _task_send(event_pks)
    except Exception:
        # Popped but not sent: the sweeper queues them once their next attempt comes.
        logger.exception("Could not send tasks for Stripe events %s; the sweeper will", event_pks)
        raise
    return len(event_pks)


def relay_run(stop: threading.Event) -> None:
    """Relay until `stop` is set, surviving Redis and broker outages."""
    while not stop.is_set():
        try:
            relay_once()
        except Exception:
            logger.exception("The Stripe event relay failed; it tries again in a second")
            stop.wait(ERROR_PAUSE_SECONDS)


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
            self.thread.join(POP_TIMEOUT_SECONDS + 5)
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
