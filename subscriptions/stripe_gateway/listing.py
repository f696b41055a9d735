"""Stripe's list endpoints, read whole: every object of a kind created in a window.

Used to rebuild our records after a long outage or a restore (`stripe_resync`): each listed
object is then re-read and applied by the same code as its webhook.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from . import convert
from .client import call, stripe_client


@dataclass(frozen=True)
class ListedObject:
    """What a list tells us of one object: enough to decide how to re-read it."""

    kind: str
    id: str
    created: datetime
    status: str
    # The object it belongs to: a refund's or dispute's charge, a charge's payment intent.
    parent_id: str = ""


# Our name for each kind, the SDK's list method under `client.v1`, and the parent link.
LISTABLE: dict[str, tuple[str, str]] = {
    "customer": ("customers", ""),
    "checkout_session": ("checkout.sessions", ""),
    "subscription": ("subscriptions", "customer"),
    "invoice": ("invoices", ""),
    "charge": ("charges", "payment_intent"),
    "refund": ("refunds", "charge"),
    "dispute": ("disputes", "charge"),
    "payout": ("payouts", ""),
}
PAGE_SIZE = 100


def objects_created_list(
    kind: str, *, created_from: datetime, created_to: datetime
) -> list[ListedObject]:
    """Every object of `kind` created in [created_from, created_to), all pages."""
    if kind not in LISTABLE:
        raise ValueError(f"Cannot list {kind!r}: choose one of {', '.join(LISTABLE)}.")
    path, parent_field = LISTABLE[kind]
    service: Any = stripe_client().v1
    for part in path.split("."):
        service = getattr(service, part)
    params: dict[str, Any] = {
        "created": {"gte": int(created_from.timestamp()), "lt": int(created_to.timestamp())},
        "limit": PAGE_SIZE,
    }
    if kind == "subscription":
        params["status"] = "all"  # canceled ones too: an ending is what may have been missed
    listed = []
    while True:
        page = call(service.list, params)
        listed += [
            ListedObject(
                kind=kind,
                id=obj["id"],
                created=convert.instant(obj["created"]),
                status=str(obj.get("status") or ""),
                parent_id=convert.object_id(obj.get(parent_field)) if parent_field else "",
            )
            for obj in page["data"]
        ]
        if not page["has_more"] or not page["data"]:
            return listed
        params["starting_after"] = page["data"][-1]["id"]
