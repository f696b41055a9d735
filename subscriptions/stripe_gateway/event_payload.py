"""A webhook body whose signature is good, checked to be a whole Stripe event.

A correct signature says who sent the body, not that it can be stored: every field the
event is stored by must be there with the right type and size, and the payload must be
JSON that PostgreSQL's jsonb accepts (no NUL, no lone surrogate, no NaN or Infinity).
"""

import json
import math
import re
from datetime import UTC, datetime
from typing import Any

from .types import VerifiedEvent, WebhookEventInvalid

# The sizes of the StripeEvent columns these fields are stored in.
MAX_ID_LENGTH = 255
MAX_TYPE_LENGTH = 100
MAX_API_VERSION_LENGTH = 40
# 9999-12-31 23:59:59 UTC, the last second a datetime can hold.
LATEST_TIMESTAMP = 253_402_300_799
UNSTORABLE_CHARACTERS = re.compile("[\x00\ud800-\udfff]")


def _not_a_number(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("a number too large to store")
    return value


def _text(data: dict, field: str, max_length: int, *, required: bool = True) -> str:
    value = data.get(field)
    if value in (None, "") and not required:
        return ""
    if not isinstance(value, str) or not 0 < len(value) <= max_length:
        raise WebhookEventInvalid(f"{field} is not a string of 1 to {max_length} characters")
    return value


def _assert_storable(data: Any) -> None:
    pending = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
        elif isinstance(value, str) and UNSTORABLE_CHARACTERS.search(value):
            raise WebhookEventInvalid("a NUL character or a lone surrogate cannot be stored")


def _customer_of(event_object: dict) -> str:
    """The customer an event's object belongs to (or is), so one query finds every event
    of a supporter's customer, their failed invoices included."""
    if event_object.get("object") == "customer":
        found: Any = event_object.get("id")
    else:
        found = event_object.get("customer")
        if isinstance(found, dict):
            found = found.get("id")
    return found if isinstance(found, str) and 0 < len(found) <= MAX_ID_LENGTH else ""


def verified_event_from(payload: bytes) -> VerifiedEvent:
    """The event in a body whose signature has been checked; WebhookEventInvalid if none."""
    try:
        data = json.loads(payload, parse_constant=_not_a_number, parse_float=_finite)
    except (ValueError, RecursionError) as error:
        raise WebhookEventInvalid(f"not JSON: {error}") from error
    if not isinstance(data, dict):
        raise WebhookEventInvalid("not a JSON object")
    event_id = _text(data, "id", MAX_ID_LENGTH)
    event_type = _text(data, "type", MAX_TYPE_LENGTH)
    api_version = _text(data, "api_version", MAX_API_VERSION_LENGTH, required=False)
    created = data.get("created")
    if type(created) is not int or not 0 < created <= LATEST_TIMESTAMP:
        raise WebhookEventInvalid("created is not a time in seconds")
    envelope = data.get("data")
    event_object = envelope.get("object") if isinstance(envelope, dict) else None
    if not isinstance(event_object, dict):
        raise WebhookEventInvalid("data.object is not an object")
    # NUL and lone surrogates can only arrive as \u escapes or raw surrogate bytes (UTF-8
    # 0xED 0xA0-0xBF): a body with neither, Stripe's usual, needs no walk through it.
    if b"\\u" in payload or b"\xed" in payload:
        _assert_storable(data)
    object_id = event_object.get("id")
    return VerifiedEvent(
        customer_id=_customer_of(event_object),
        id=event_id,
        type=event_type,
        created=datetime.fromtimestamp(created, tz=UTC),
        api_version=api_version,
        object_id=object_id if isinstance(object_id, str) else "",
        payload=data,
        body=payload.decode("utf-8", "surrogatepass"),
    )
