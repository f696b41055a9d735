"""Webhook endpoints by API (`stripe_setup` uses these); the dispatcher delivers to them.

The endpoint object lives in the store like any other; its signing secret lives only in
the dispatcher's table and is shown once, in the answer to the create call, as at Stripe.
"""

from typing import Any

from ..app import Sandbox
from ..errors import InvalidRequest, ResourceMissing
from ..registry import Resource, Route
from ..shapes import api_version, skeleton


def endpoint_save(
    sb: Sandbox,
    *,
    url: str,
    secret: str | None = None,
    enabled_events: list[str] | None = None,
    version: str | None = None,
    description: str | None = None,
    metadata: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Create the endpoint for `url`, or replace the one that has it (a sandbox shortcut:
    Stripe would make a second endpoint with the same URL). Answers it with its secret."""
    if not str(url).startswith(("http://", "https://")):
        raise InvalidRequest(f"Invalid URL: {url}. Give an http(s) URL.", param="url")
    row = sb.dispatcher.upsert_endpoint(str(url), secret)
    endpoint = skeleton(
        "webhook_endpoint",
        id=row["id"],
        url=row["url"],
        created=row["created"],
        enabled_events=sorted(enabled_events or ["*"]),
        api_version=version,
        description=description,
        metadata=metadata or {},
        status="enabled",
    )
    sb.save(endpoint)
    return endpoint | {"secret": row["secret"]}


def webhook_endpoints_create(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    version = params.get("api_version") or None
    if version is not None and version != api_version():
        raise InvalidRequest(
            f"The sandbox speaks only API version {api_version()}; it cannot send {version}.",
            param="api_version",
        )
    return endpoint_save(
        sb,
        url=params["url"],
        enabled_events=list(params["enabled_events"]),
        version=version,
        description=params.get("description") or None,
        metadata=params.get("metadata") or {},
    )


def webhook_endpoints_update(sb: Sandbox, params: dict[str, Any], endpoint_id: str) -> dict:
    endpoint = sb.get(endpoint_id, "webhook_endpoint")
    if "url" in params and params["url"] != endpoint["url"]:
        if not str(params["url"]).startswith(("http://", "https://")):
            raise InvalidRequest(f"Invalid URL: {params['url']}.", param="url")
        sb.dispatcher.move_endpoint(endpoint_id, str(params["url"]))
        endpoint["url"] = params["url"]
    if "enabled_events" in params:
        endpoint["enabled_events"] = sorted(params["enabled_events"])
    if "description" in params:
        endpoint["description"] = params["description"] or None
    if "metadata" in params:
        endpoint["metadata"] = {**endpoint["metadata"], **(params["metadata"] or {})}
        endpoint["metadata"] = {k: v for k, v in endpoint["metadata"].items() if v != ""}
    if "disabled" in params:
        endpoint["status"] = "disabled" if params["disabled"] == "true" else "enabled"
    return sb.save(endpoint)


def webhook_endpoints_delete(sb: Sandbox, params: dict[str, Any], endpoint_id: str) -> dict:
    if not sb.dispatcher.delete_endpoint(endpoint_id):
        raise ResourceMissing("webhook_endpoint", endpoint_id)
    sb.store.execute("DELETE FROM objects WHERE id = ?", (endpoint_id,))
    return {"id": endpoint_id, "object": "webhook_endpoint", "deleted": True}


RESOURCES = (
    Resource(
        "webhook_endpoint",
        prefix="we_",
        path="webhook_endpoints",
        routes=(
            Route("POST", "/v1/webhook_endpoints", webhook_endpoints_create),
            Route("POST", "/v1/webhook_endpoints/{id}", webhook_endpoints_update),
            Route("DELETE", "/v1/webhook_endpoints/{id}", webhook_endpoints_delete),
        ),
    ),
)
