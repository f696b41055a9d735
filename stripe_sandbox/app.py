"""The sandbox's shared state: store, clock, event recording and the webhook dispatcher."""

import time
from dataclasses import dataclass
from typing import Any

from .errors import ResourceMissing
from .ids import new_id
from .registry import Registry, default_registry
from .shapes import api_version, nested, skeleton
from .store import Store
from .webhooks import Dispatcher


@dataclass
class RequestContext:
    request_id: str | None = None
    idempotency_key: str | None = None


class Sandbox:
    def __init__(
        self,
        *,
        db_path: str,
        host: str,
        port: int,
        registry: Registry | None = None,
        settlement_currency: str = "eur",
    ):
        # The account's one settlement currency: every balance transaction is in it.
        self.settlement_currency = settlement_currency
        self.registry = registry or default_registry()
        self.store = Store(
            db_path, link_names=self.registry.link_names(), links_of=self.registry.links_of
        )
        self.public_base = f"http://{host}:{port}"
        self.pinned_time: int | None = None
        self.request = RequestContext()
        self.dispatcher = Dispatcher(self.store)
        # An outage of the API (`/_sandbox/outage`): until this wall-clock time every /v1
        # request is answered with `outage_status`, as Stripe does when it is in trouble.
        self.outage_until = 0.0
        self.outage_status = 500

    # outage ------------------------------------------------------------------

    def outage_seconds_left(self) -> float:
        return max(0.0, self.outage_until - time.time())

    # clock -------------------------------------------------------------------

    def clock_offset(self) -> int:
        return int(self.store.meta("clock_offset", "0"))

    def now(self) -> int:
        if self.pinned_time is not None:
            return self.pinned_time
        return int(time.time()) + self.clock_offset()

    # objects -----------------------------------------------------------------

    def get(self, object_id: str, object_name: str | None = None, param: str = "id") -> dict:
        obj = self.store.get(object_id) if isinstance(object_id, str) else None
        if obj is None or (object_name and obj["object"] != object_name):
            name = object_name or self.registry.object_name_for(str(object_id))
            raise ResourceMissing(name, str(object_id), param=param)
        return obj

    def save(self, obj: dict[str, Any], **links: Any) -> dict[str, Any]:
        return self.store.put(obj, **links)

    def schedule(self, due_at: int, kind: str, subject: str) -> None:
        """Book a clock job declared by a resource (`"subscription.renew"`)."""
        self.registry.job(kind)  # fails now, not when the clock reaches it
        self.store.schedule(due_at, kind, subject)

    def update(self, obj: dict[str, Any], changes: dict[str, Any], event_type: str) -> dict:
        """Apply changes, save, and record an `*.updated` event with previous_attributes."""
        previous = {key: obj.get(key) for key, value in changes.items() if obj.get(key) != value}
        obj.update(changes)
        self.save(obj)
        if previous:
            self.emit(event_type, obj, previous_attributes=previous)
        return obj

    # events ------------------------------------------------------------------

    def emit(
        self,
        event_type: str,
        obj: dict[str, Any],
        *,
        previous_attributes: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        data: dict[str, Any] = {"object": obj}
        if previous_attributes is not None:
            data["previous_attributes"] = previous_attributes
        request = nested(
            "event:request",
            id=self.request.request_id,
            idempotency_key=self.request.idempotency_key,
        )
        endpoints = self.dispatcher.endpoints_for(event_type)
        event = skeleton(
            "event",
            id=new_id("evt_"),
            type=event_type,
            created=self.now(),
            api_version=api_version(),
            data=data,
            request=request,
            pending_webhooks=len(endpoints),
        )
        self.save(event)
        self.dispatcher.enqueue(event, endpoints)
        return event
