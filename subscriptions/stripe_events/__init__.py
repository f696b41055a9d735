"""One home for Stripe's webhook events: a registry, and one module per family.

Importing the package registers every handler; `handler_for(type)` answers the handler
of an event type (None for types we store but do not act on), `handled_event_types()`
the list the webhook endpoint subscribes to.
"""

from . import checkout, invoices, money, payouts, subscriptions
from .registry import EventHandler, handled_event_types, handler_for

__all__ = [
    "EventHandler",
    "checkout",
    "handled_event_types",
    "handler_for",
    "invoices",
    "money",
    "payouts",
    "subscriptions",
]
