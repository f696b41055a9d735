"""Webhook endpoints by API (`stripe_setup` uses these); the dispatcher keeps them."""

from typing import Any

from ..app import Sandbox
from ..errors import InvalidRequest
from ..expand import list_object
from ..registry import Resource, Route
from ..shapes import skeleton


def webhook_endpoint_object(endpoint: dict[str, Any], *, with_secret: bool) -> dict[str, Any]:
    return skeleton(
        "webhook_endpoint",
        id=endpoint["id"],
        url=endpoint["url"],
        created=endpoint["created"],
        enabled_events=["*"],
        status="enabled",
        secret=endpoint["secret"] if with_secret else None,
    )


def webhook_endpoints_create(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    if not params.get("url"):
        raise InvalidRequest("Missing required param: url.", param="url")
    endpoint = sb.dispatcher.upsert_endpoint(params["url"], None)
    return webhook_endpoint_object(endpoint, with_secret=True)


def webhook_endpoints_list(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    endpoints = [webhook_endpoint_object(e, with_secret=False) for e in sb.dispatcher.endpoints()]
    return list_object(endpoints, "/v1/webhook_endpoints")


def webhook_endpoints_delete(sb: Sandbox, params: dict[str, Any], endpoint_id: str) -> dict:
    if not sb.dispatcher.delete_endpoint(endpoint_id):
        raise InvalidRequest(f"No such webhook endpoint: '{endpoint_id}'", param="id")
    return {"id": endpoint_id, "object": "webhook_endpoint", "deleted": True}


RESOURCES = (
    Resource(
        "webhook_endpoint",
        prefix="we_",
        routes=(
            Route("POST", "/v1/webhook_endpoints", webhook_endpoints_create),
            Route("GET", "/v1/webhook_endpoints", webhook_endpoints_list),
            Route("DELETE", "/v1/webhook_endpoints/{id}", webhook_endpoints_delete),
        ),
    ),
)
