"""Billing portal sessions and the card update they allow."""

from typing import Any

from .app import Sandbox
from .catalog import payment_method_create
from .errors import InvalidRequest
from .ids import new_id
from .shapes import nested, skeleton
from .subscriptions import LIVE_STATUSES


def portal_session_create(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    if not params.get("customer"):
        raise InvalidRequest("Missing required param: customer.", param="customer")
    customer = sb.get(params["customer"], "customer", param="customer")
    configuration = "bpc_sandbox_default"
    if params.get("configuration"):
        configuration = sb.get(
            params["configuration"], "billing_portal.configuration", param="configuration"
        )["id"]
    session_id = new_id("bps_")
    session = skeleton(
        "billing_portal.session",
        id=session_id,
        configuration=configuration,
        flow=session_flow(params.get("flow_data")),
        created=sb.now(),
        customer=customer["id"],
        locale=params.get("locale"),
        return_url=params.get("return_url"),
        url=f"{sb.public_base}/billing_portal/{session_id}",
    )
    return sb.save(session)


def session_flow(flow_data: dict[str, Any] | None) -> dict[str, Any] | None:
    """The session's `flow` as Stripe answers it for `flow_data` (the sandbox's page shows
    the card update whatever the flow; the other flows are recorded, not acted out)."""
    if not flow_data:
        return None
    flow = nested("billing_portal.session:flow", type=flow_data["type"])
    after = flow_data.get("after_completion") or {}
    flow["after_completion"]["type"] = after.get("type") or "portal_homepage"
    if after.get("redirect"):
        flow["after_completion"]["redirect"] = {"return_url": after["redirect"]["return_url"]}
    if after.get("hosted_confirmation"):
        message = after["hosted_confirmation"].get("custom_message")
        flow["after_completion"]["hosted_confirmation"] = {"custom_message": message}
    return flow


def customer_subscriptions(sb: Sandbox, customer_id: str) -> list[dict[str, Any]]:
    subscriptions, _ = sb.store.page(
        "subscription",
        filters={"customer": customer_id},
        exclude_status="canceled",
        limit=100,
        starting_after=None,
        ending_before=None,
    )
    return [s for s in subscriptions if s["status"] in LIVE_STATUSES]


def portal_card_replace(
    sb: Sandbox, session: dict[str, Any], *, number: str, exp_month: int, exp_year: int
) -> dict[str, Any]:
    customer = sb.get(session["customer"], "customer")
    payment_method = payment_method_create(
        sb,
        card_number=number,
        exp_month=exp_month,
        exp_year=exp_year,
        customer_id=customer["id"],
        email=customer["email"],
        name=customer["name"],
    )
    settings = dict(customer["invoice_settings"] or {})
    settings["default_payment_method"] = payment_method["id"]
    sb.update(customer, {"invoice_settings": settings}, "customer.updated")
    for subscription in customer_subscriptions(sb, customer["id"]):
        sb.update(
            subscription,
            {"default_payment_method": payment_method["id"]},
            "customer.subscription.updated",
        )
    return payment_method


def current_card(sb: Sandbox, customer_id: str) -> dict[str, Any] | None:
    customer = sb.get(customer_id, "customer")
    method_id = (customer["invoice_settings"] or {}).get("default_payment_method")
    if not method_id:
        method_id = next(
            (s["default_payment_method"] for s in customer_subscriptions(sb, customer_id)), None
        )
    return sb.store.get(method_id) if method_id else None
