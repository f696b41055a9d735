"""Events: every state change records one (../app.py) and webhooks deliver it."""

from ..registry import Resource

RESOURCES = (
    Resource(
        "event", prefix="evt_", path="events", links={"type": "type"}, nested=("event:request",)
    ),
)
