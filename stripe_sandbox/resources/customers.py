"""Customers: `POST /v1/customers` (as Stripe CLI fixtures call it), updates, deletion."""

from typing import Any

from ..app import Sandbox
from ..catalog import customer_create, merged_metadata, resolve_payment_method
from ..errors import ResourceMissing
from ..expand import answer
from ..registry import Resource, Route
from ..subscriptions import subscription_cancel


def customers_create(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    customer = customer_create(
        sb, email=params.get("email"), name=params.get("name"), metadata=params.get("metadata")
    )
    changes: dict[str, Any] = {}
    if params.get("description"):
        changes["description"] = params["description"]
    method_id = params.get("payment_method") or params.get("source")
    attached = None
    if method_id:
        attached = resolve_payment_method(
            sb, method_id, customer_id=customer["id"], param="payment_method"
        )
    settings = params.get("invoice_settings") or {}
    default_id = settings.get("default_payment_method") or (
        params.get("source") and attached and attached["id"]
    )
    if default_id:
        if attached and default_id in (method_id, attached["id"]):
            default = attached
        else:
            default = resolve_payment_method(
                sb,
                default_id,
                customer_id=customer["id"],
                param="invoice_settings[default_payment_method]",
            )
        changes["invoice_settings"] = dict(customer["invoice_settings"]) | {
            "default_payment_method": default["id"]
        }
    customer.update(changes)
    sb.save(customer)
    return answer(sb, params, customer)


def customers_update(sb: Sandbox, params: dict[str, Any], customer_id: str) -> dict[str, Any]:
    customer = sb.get(customer_id, "customer")
    changes: dict[str, Any] = {}
    for field in ("email", "name", "description", "phone"):
        if field in params:
            changes[field] = params[field] or None
    if "metadata" in params:
        changes["metadata"] = merged_metadata(customer["metadata"], params["metadata"])
    settings = params.get("invoice_settings")
    if isinstance(settings, dict) and "default_payment_method" in settings:
        method_id = settings["default_payment_method"] or None
        if method_id:
            sb.get(method_id, "payment_method", param="invoice_settings[default_payment_method]")
        changes["invoice_settings"] = dict(customer["invoice_settings"] or {}) | {
            "default_payment_method": method_id
        }
    sb.update(customer, changes, "customer.updated")
    return answer(sb, params, customer)


def customers_delete(sb: Sandbox, params: dict[str, Any], customer_id: str) -> dict[str, Any]:
    """As Stripe: the customer's live subscriptions end at once, the customer is gone (a
    retrieve answers `deleted: true`), and `customer.deleted` carries its last state."""
    customer = sb.get(customer_id, "customer")
    if customer.get("deleted"):
        raise ResourceMissing("customer", customer_id)
    while True:
        live, _ = sb.store.page(
            "subscription",
            filters={"customer": customer_id},
            exclude_status="canceled",
            limit=100,
            starting_after=None,
            ending_before=None,
        )
        if not live:
            break
        for subscription in live:
            subscription_cancel(sb, subscription, reason="cancellation_requested")
    deleted = {"id": customer_id, "object": "customer", "deleted": True}
    sb.save(deleted)
    sb.emit("customer.deleted", customer)
    return deleted


RESOURCES = (
    Resource(
        "customer",
        prefix="cus_",
        path="customers",
        links={"email": "email"},
        routes=(
            Route("POST", "/v1/customers", customers_create),
            Route("POST", "/v1/customers/{id}", customers_update),
            Route("DELETE", "/v1/customers/{id}", customers_delete),
        ),
        nested=("customer:invoice_settings",),
    ),
)
