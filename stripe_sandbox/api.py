"""Handlers for the `/v1/...` Stripe API routes."""

import re
from collections.abc import Callable
from typing import Any

from .app import Sandbox
from .catalog import merged_metadata, price_create, product_create
from .checkout import session_create, session_expire, session_private
from .errors import InvalidRequest, RouteMissing
from .expand import expand_params, list_object, present
from .fixtures_api import FIXTURE_ROUTES
from .invoicing_api import INVOICING_ROUTES
from .payments import refund_create
from .portal import portal_session_create
from .shapes import skeleton
from .subscriptions import subscription_cancel, subscription_update

Handler = Callable[..., dict[str, Any]]

RESOURCES = {
    "customers": "customer",
    "products": "product",
    "prices": "price",
    "checkout/sessions": "checkout.session",
    "subscriptions": "subscription",
    "invoices": "invoice",
    "invoice_payments": "invoice_payment",
    "payment_intents": "payment_intent",
    "charges": "charge",
    "payment_methods": "payment_method",
    "refunds": "refund",
    "disputes": "dispute",
    "balance_transactions": "balance_transaction",
    "payouts": "payout",
    "events": "event",
    "billing_portal/sessions": "billing_portal.session",
}
LIST_FILTERS = {
    "customer": "customer",
    "email": "email",
    "subscription": "subscription",
    "invoice": "invoice",
    "charge": "charge",
    "payment_intent": "payment_intent",
    "payout": "payout",
    "type": "kind",
    "status": "status",
}
MAX_LIMIT = 100


def paginate(sb: Sandbox, object_name: str, url: str, params: dict[str, Any]) -> dict[str, Any]:
    try:
        limit = int(params.get("limit") or 10)
    except ValueError:
        raise InvalidRequest("Invalid integer: limit.", param="limit") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidRequest("limit must be between 1 and 100.", param="limit")
    filters = {
        column: str(params[name])
        for name, column in LIST_FILTERS.items()
        if params.get(name) and isinstance(params[name], str)
    }
    exclude_status = None
    if object_name == "subscription":
        if filters.get("status") == "all":
            del filters["status"]
        elif "status" not in filters:
            exclude_status = "canceled"
    objects, has_more = sb.store.page(
        object_name,
        filters=filters,
        exclude_status=exclude_status,
        limit=limit,
        starting_after=params.get("starting_after") or None,
        ending_before=params.get("ending_before") or None,
    )
    body = list_object(objects, url, has_more)
    return present(sb, body, expand_params(params))


def retrieve(sb: Sandbox, params: dict[str, Any], resource: str, object_id: str) -> dict:
    return present(sb, sb.get(object_id, RESOURCES[resource]), expand_params(params))


def list_resource(sb: Sandbox, params: dict[str, Any], resource: str) -> dict[str, Any]:
    return paginate(sb, RESOURCES[resource], f"/v1/{resource}", params)


def created(sb: Sandbox, params: dict[str, Any], obj: dict[str, Any]) -> dict[str, Any]:
    return present(sb, obj, expand_params(params))


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
    return created(sb, params, customer)


def products_create(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    product = product_create(sb, name=params.get("name", ""), metadata=params.get("metadata"))
    return created(sb, params, product)


def prices_create(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    return created(sb, params, price_create(sb, params))


def sessions_create(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    return created(sb, params, session_create(sb, params))


def sessions_expire(sb: Sandbox, params: dict[str, Any], session_id: str) -> dict[str, Any]:
    session = sb.get(session_id, "checkout.session")
    return created(sb, params, session_expire(sb, session))


def sessions_line_items(sb: Sandbox, params: dict[str, Any], session_id: str) -> dict:
    sb.get(session_id, "checkout.session")
    items = session_private(sb, session_id)["line_items"]
    return list_object(items, f"/v1/checkout/sessions/{session_id}/line_items")


def invoice_lines(sb: Sandbox, params: dict[str, Any], invoice_id: str) -> dict[str, Any]:
    return sb.get(invoice_id, "invoice")["lines"]


def subscription_items_list(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    if not params.get("subscription"):
        raise InvalidRequest("Missing required param: subscription.", param="subscription")
    subscription = sb.get(params["subscription"], "subscription", param="subscription")
    return present(sb, subscription["items"], expand_params(params))


def subscriptions_update(sb: Sandbox, params: dict[str, Any], subscription_id: str) -> dict:
    subscription = sb.get(subscription_id, "subscription")
    return created(sb, params, subscription_update(sb, subscription, params))


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
    return created(sb, params, subscription)


def refunds_create(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    return created(sb, params, refund_create(sb, params))


def portal_sessions_create(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    return created(sb, params, portal_session_create(sb, params))


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


RESOURCE_PATTERN = "|".join(re.escape(path) for path in RESOURCES)
ROUTES: list[tuple[str, re.Pattern[str], Handler]] = [
    (method, re.compile(pattern), handler)
    for method, pattern, handler in [
        *FIXTURE_ROUTES,
        *INVOICING_ROUTES,
        ("POST", r"/v1/customers/([^/]+)", customers_update),
        ("POST", r"/v1/products", products_create),
        ("POST", r"/v1/prices", prices_create),
        ("POST", r"/v1/checkout/sessions", sessions_create),
        ("POST", r"/v1/checkout/sessions/([^/]+)/expire", sessions_expire),
        ("GET", r"/v1/checkout/sessions/([^/]+)/line_items", sessions_line_items),
        ("GET", r"/v1/invoices/([^/]+)/lines", invoice_lines),
        ("GET", r"/v1/subscription_items", subscription_items_list),
        ("POST", r"/v1/subscriptions/([^/]+)", subscriptions_update),
        ("DELETE", r"/v1/subscriptions/([^/]+)", subscriptions_cancel),
        ("POST", r"/v1/refunds", refunds_create),
        ("POST", r"/v1/billing_portal/sessions", portal_sessions_create),
        ("POST", r"/v1/webhook_endpoints", webhook_endpoints_create),
        ("GET", r"/v1/webhook_endpoints", webhook_endpoints_list),
        ("DELETE", r"/v1/webhook_endpoints/([^/]+)", webhook_endpoints_delete),
        ("GET", rf"/v1/({RESOURCE_PATTERN})", list_resource),
        ("GET", rf"/v1/({RESOURCE_PATTERN})/([^/]+)", retrieve),
    ]
]


def route(method: str, path: str) -> tuple[Handler, tuple[str, ...]]:
    for route_method, pattern, handler in ROUTES:
        match = pattern.fullmatch(path)
        if match and route_method == method:
            return handler, match.groups()
    raise RouteMissing(method, path)
