"""Billing portal configurations: which features the hosted portal offers.

The sandbox's portal page offers the card update alone whatever the configuration says;
the configuration is kept, answered and used by sessions as Stripe does.
"""

from typing import Any

from ..app import Sandbox
from ..ids import new_id
from ..registry import Resource, Route
from ..shapes import skeleton

FEATURES = (
    "customer_update",
    "invoice_history",
    "payment_method_update",
    "subscription_cancel",
    "subscription_update",
)


def truthy(value: Any) -> bool:
    return value in (True, "true")


def features_apply(features: dict[str, Any], requested: dict[str, Any]) -> dict[str, Any]:
    """The stored features with the requested ones changed (`enabled` and the plain fields)."""
    for name, change in requested.items():
        current = features.get(name)
        if not isinstance(current, dict) or not isinstance(change, dict):
            continue
        for key, value in change.items():
            if key == "enabled":
                current[key] = truthy(value)
            elif isinstance(value, str) and key in current and not isinstance(current[key], dict):
                current[key] = value or None
    return features


def configuration_create(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    configuration = skeleton(
        "billing_portal.configuration",
        id=new_id("bpc_"),
        active=True,
        created=sb.now(),
        updated=sb.now(),
        is_default=False,
        name=params.get("name") or None,
        default_return_url=params.get("default_return_url") or None,
        metadata=params.get("metadata") or {},
    )
    features_apply(configuration["features"], params.get("features") or {})
    return sb.save(configuration)


def configuration_update(sb: Sandbox, params: dict[str, Any], configuration_id: str) -> dict:
    configuration = sb.get(configuration_id, "billing_portal.configuration")
    features_apply(configuration["features"], params.get("features") or {})
    if "active" in params:
        configuration["active"] = truthy(params["active"])
    for field in ("name", "default_return_url"):
        if field in params:
            configuration[field] = params[field] or None
    if "metadata" in params:
        metadata = {**configuration["metadata"], **(params["metadata"] or {})}
        configuration["metadata"] = {k: v for k, v in metadata.items() if v != ""}
    configuration["updated"] = sb.now()
    return sb.save(configuration)


RESOURCES = (
    Resource(
        "billing_portal.configuration",
        prefix="bpc_",
        path="billing_portal/configurations",
        routes=(
            Route("POST", "/v1/billing_portal/configurations", configuration_create),
            Route("POST", "/v1/billing_portal/configurations/{id}", configuration_update),
        ),
    ),
)
