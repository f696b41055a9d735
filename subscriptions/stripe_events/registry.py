"""Which code handles which Stripe event type: declared once, next to the handler.

A handler has two steps. `fetch` makes every Stripe call the event needs and answers
plain facts; it runs outside any transaction, so no row lock is held while we wait on
the network. `apply` writes those facts to our records; it runs inside one transaction.
Stripe's current state is what gets fetched (not the event's copy), so any order of
events, and any number of repeats, ends in the same rows.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from subscriptions.models import StripeEvent

Fetch = Callable[[StripeEvent], Any]
Apply = Callable[[Any], object]


@dataclass(frozen=True)
class EventHandler:
    fetch: Fetch
    apply: Apply


_HANDLERS: dict[str, EventHandler] = {}


def handles(*event_types: str, fetch: Fetch) -> Callable[[Apply], Apply]:
    """Register the decorated apply step, with its fetch step, for these event types."""

    def register(apply: Apply) -> Apply:
        for event_type in event_types:
            if event_type in _HANDLERS:
                raise ValueError(f"Stripe event type {event_type} already has a handler.")
            _HANDLERS[event_type] = EventHandler(fetch=fetch, apply=apply)
        return apply

    return register


def handler_for(event_type: str) -> EventHandler | None:
    return _HANDLERS.get(event_type)


def handled_event_types() -> list[str]:
    """Every event type we act on: what the webhook endpoint subscribes to."""
    return sorted(_HANDLERS)


def object_id(event: StripeEvent) -> str:
    """The id of the object the event is about (the payload may be pruned by now)."""
    return event.object_id or event.payload["data"]["object"]["id"]
