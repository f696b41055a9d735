"""Subscriptions and their items: create by API, list, update, cancel; renewal jobs."""

from typing import Any

from ..app import Sandbox
from ..catalog import merged_metadata, price_create, resolve_payment_method
from ..errors import InvalidRequest
from ..expand import answer
from ..listing import paginate
from ..periods import subscription_renew, subscription_upcoming
from ..registry import Resource, Route
from ..subscriptions import (
    subscription_cancel,
    subscription_collection_resume,
    subscription_end_at,
    subscription_pause,
    subscription_resume,
    subscription_start,
    subscription_update,
)


def subscriptions_create(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    customer = sb.get(params.get("customer", ""), "customer", param="customer")
    raw_items = params.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise InvalidRequest("Missing required param: items.", param="items")
    prices = []
    for index, raw in enumerate(raw_items):
        param = f"items[{index}]"
        if raw.get("price") or raw.get("plan"):
            price = sb.get(raw.get("price") or raw["plan"], "price", param=f"{param}[price]")
        elif raw.get("price_data"):
            price = price_create(sb, raw["price_data"], param_prefix=f"{param}[price_data]")
        else:
            raise InvalidRequest("Missing required param: price.", param=f"{param}[price]")
        if not price["recurring"]:
            raise InvalidRequest("The price specified is not recurring.", param=f"{param}[price]")
        prices.append(price)
    method_id = params.get("default_payment_method") or (customer["invoice_settings"] or {}).get(
        "default_payment_method"
    )
    if not method_id:
        raise InvalidRequest(
            "This customer has no attached payment source or default payment method.",
            param="default_payment_method",
        )
    payment_method = resolve_payment_method(
        sb, method_id, customer_id=customer["id"], param="default_payment_method"
    )
    subscription, _ = subscription_start(
        sb,
        customer_id=customer["id"],
        prices=prices,
        payment_method_id=payment_method["id"],
        metadata=merged_metadata(None, params.get("metadata")),
        at_checkout=False,
    )
    return answer(sb, params, subscription)


def subscriptions_list(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    """Canceled subscriptions are left out unless asked for, by `status=canceled` or `all`."""
    if params.get("status") == "all":
        params = {key: value for key, value in params.items() if key != "status"}
        return paginate(sb, "subscription", "/v1/subscriptions", params)
    exclude = None if params.get("status") else "canceled"
    return paginate(sb, "subscription", "/v1/subscriptions", params, exclude_status=exclude)


def subscriptions_update(sb: Sandbox, params: dict[str, Any], subscription_id: str) -> dict:
    subscription = sb.get(subscription_id, "subscription")
    return answer(sb, params, subscription_update(sb, subscription, params))


def subscriptions_cancel(sb: Sandbox, params: dict[str, Any], subscription_id: str) -> dict:
    subscription = sb.get(subscription_id, "subscription")
    if subscription["status"] == "canceled":
        raise InvalidRequest(
            f"No such subscription: '{subscription_id}' (it is already canceled).",
            param="id",
        )
    details = params.get("cancellation_details") or {}
    subscription_cancel(
        sb, subscription, reason="cancellation_requested", comment=details.get("comment")
    )
    return answer(sb, params, subscription)


def subscriptions_pause(sb: Sandbox, params: dict[str, Any], subscription_id: str) -> dict:
    return answer(sb, params, subscription_pause(sb, sb.get(subscription_id, "subscription")))


def subscriptions_resume(sb: Sandbox, params: dict[str, Any], subscription_id: str) -> dict:
    subscription = sb.get(subscription_id, "subscription")
    return answer(sb, params, subscription_resume(sb, subscription, params))


def subscription_items_list(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    if not params.get("subscription"):
        raise InvalidRequest("Missing required param: subscription.", param="subscription")
    subscription = sb.get(params["subscription"], "subscription", param="subscription")
    return answer(sb, params, subscription["items"])


RESOURCES = (
    Resource(
        "subscription",
        prefix="sub_",
        path="subscriptions",
        links={"customer": "customer", "status": "status"},
        listable=False,
        routes=(
            Route("POST", "/v1/subscriptions", subscriptions_create),
            Route("GET", "/v1/subscriptions", subscriptions_list),
            Route("POST", "/v1/subscriptions/{id}", subscriptions_update),
            Route("DELETE", "/v1/subscriptions/{id}", subscriptions_cancel),
            Route("POST", "/v1/subscriptions/{id}/pause", subscriptions_pause),
            Route("POST", "/v1/subscriptions/{id}/resume", subscriptions_resume),
        ),
        jobs={
            "renew": subscription_renew,
            "upcoming": subscription_upcoming,
            "end_at": subscription_end_at,
            "resume_collection": subscription_collection_resume,
        },
        nested=("subscription:cancellation_details", "subscription:pause_collection"),
    ),
    Resource(
        "subscription_item",
        routes=(Route("GET", "/v1/subscription_items", subscription_items_list),),
    ),
)
