"""Checkout sessions: create, expire, and complete from the hosted page."""

from typing import Any

from .app import Sandbox
from .catalog import (
    card_behaviour,
    customer_create,
    merged_metadata,
    payment_method_create,
    price_create,
)
from .errors import InvalidRequest
from .ids import checkout_session_id, new_id
from .payments import card_charge
from .shapes import nested, skeleton
from .subscriptions import subscription_start

MODES = ("payment", "subscription")
DEFAULT_LIFETIME_SECONDS = 24 * 3600


def session_create(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    mode = params.get("mode")
    if mode not in MODES:
        raise InvalidRequest("mode must be 'payment' or 'subscription'.", param="mode")
    if not params.get("success_url"):
        raise InvalidRequest("Missing required param: success_url.", param="success_url")
    raw_items = params.get("line_items")
    if not isinstance(raw_items, list) or not raw_items:
        raise InvalidRequest("Missing required param: line_items.", param="line_items")
    customer_id = params.get("customer") or None
    if customer_id:
        sb.get(customer_id, "customer", param="customer")
    now = sb.now()
    expires_at = int(params.get("expires_at") or now + DEFAULT_LIFETIME_SECONDS)
    session_id = checkout_session_id()
    items = [checkout_item(sb, index, raw, mode) for index, raw in enumerate(raw_items)]
    currencies = {item["currency"] for item in items}
    if len(currencies) != 1:
        raise InvalidRequest("All line items must share one currency.", param="line_items")
    total = sum(item["amount_total"] for item in items)
    session = skeleton(
        "checkout.session",
        id=session_id,
        mode=mode,
        created=now,
        expires_at=expires_at,
        currency=currencies.pop(),
        amount_subtotal=total,
        amount_total=total,
        cancel_url=params.get("cancel_url"),
        success_url=params["success_url"],
        client_reference_id=params.get("client_reference_id"),
        customer=customer_id,
        customer_email=params.get("customer_email"),
        customer_creation="always" if mode == "payment" and not customer_id else None,
        metadata=merged_metadata(None, params.get("metadata")),
        payment_method_types=["card"],
        payment_method_collection="always" if mode == "subscription" else None,
        payment_status="unpaid",
        status="open",
        ui_mode="hosted",
        url=f"{sb.public_base}/checkout/{session_id}",
        billing_address_collection="auto",
        total_details=nested("checkout.session:total_details"),
        locale=params.get("locale"),
        submit_type=params.get("submit_type"),
    )
    sb.save(session)
    # The line items and the nested data the session was created with are kept beside it.
    sb.save(
        {
            "id": f"{session_id}:private",
            "object": "sandbox.session_private",
            "line_items": items,
            "subscription_metadata": (params.get("subscription_data") or {}).get("metadata"),
            "payment_intent_metadata": (params.get("payment_intent_data") or {}).get("metadata"),
            "payment_intent_description": (params.get("payment_intent_data") or {}).get(
                "description"
            ),
        }
    )
    sb.schedule(expires_at, "checkout.session.expire", session_id)
    return session


def checkout_item(sb: Sandbox, index: int, raw: dict[str, Any], mode: str) -> dict[str, Any]:
    param = f"line_items[{index}]"
    if raw.get("price"):
        price = sb.get(raw["price"], "price", param=f"{param}[price]")
    elif raw.get("price_data"):
        price = price_create(sb, raw["price_data"], param_prefix=f"{param}[price_data]")
    else:
        raise InvalidRequest("Each line item needs price or price_data.", param=f"{param}[price]")
    if (mode == "subscription") != bool(price["recurring"]):
        raise InvalidRequest(
            "Subscription mode needs recurring prices; payment mode needs one-time prices.",
            param=f"{param}[price_data][recurring]",
        )
    quantity = int(raw.get("quantity") or 1)
    product = sb.get(price["product"], "product")
    amount = price["unit_amount"] * quantity
    return skeleton(
        "item",
        id=new_id("li_"),
        amount_discount=0,
        amount_subtotal=amount,
        amount_tax=0,
        amount_total=amount,
        currency=price["currency"],
        description=product["name"],
        metadata={},
        price=price,
        quantity=quantity,
    )


def session_private(sb: Sandbox, session_id: str) -> dict[str, Any]:
    return sb.get(f"{session_id}:private")


def session_expire(sb: Sandbox, session: dict[str, Any]) -> dict[str, Any]:
    if session["status"] != "open":
        raise InvalidRequest(
            f'Only Checkout Sessions with a status in ["open"] can be expired. This session '
            f"has status {session['status']}.",
            param="session",
        )
    session["status"] = "expired"
    session["url"] = None
    sb.store.unschedule(session["id"])
    sb.save(session)
    sb.emit("checkout.session.expired", session)
    return session


def session_complete(sb: Sandbox, session: dict[str, Any], card: dict[str, Any]) -> None:
    """Pay for the session with a test card; raises CardDeclined and creates no subscription."""
    private = session_private(sb, session["id"])
    email = card.get("email") or session["customer_email"]
    name = card.get("name") or None
    if not email:
        raise InvalidRequest("Enter your email address.", param="email")
    if card_behaviour(card["number"]) in ("decline", "insufficient_funds"):
        declined_method = payment_method_create(
            sb,
            card_number=card["number"],
            exp_month=card["exp_month"],
            exp_year=card["exp_year"],
            customer_id=None,
            email=email,
            name=name,
        )
        _, _, decline = card_charge(
            sb,
            amount=session["amount_total"],
            currency=session["currency"],
            customer_id=session["customer"],
            payment_method=declined_method,
            description=None,
            at_checkout=True,
        )
        raise decline  # type: ignore[misc]
    customer_id = session["customer"] or customer_create(sb, email=email, name=name)["id"]
    payment_method = payment_method_create(
        sb,
        card_number=card["number"],
        exp_month=card["exp_month"],
        exp_year=card["exp_year"],
        customer_id=customer_id,
        email=email,
        name=name,
    )
    changes: dict[str, Any] = {}
    if session["mode"] == "subscription":
        subscription, invoice = subscription_start(
            sb,
            customer_id=customer_id,
            prices=[item["price"] for item in private["line_items"]],
            payment_method_id=payment_method["id"],
            metadata=merged_metadata(None, private["subscription_metadata"]),
            at_checkout=True,
        )
        changes.update(subscription=subscription["id"], invoice=invoice["id"])
    else:
        intent, _, _ = card_charge(
            sb,
            amount=session["amount_total"],
            currency=session["currency"],
            customer_id=customer_id,
            payment_method=payment_method,
            description=private["payment_intent_description"],
            metadata=merged_metadata(None, private["payment_intent_metadata"]),
            receipt_email=email,
            at_checkout=True,
        )
        changes["payment_intent"] = intent["id"]
    session.update(
        changes,
        customer=customer_id,
        customer_details=nested(
            "checkout.session:customer_details", email=email, name=name, tax_exempt="none"
        ),
        status="complete",
        payment_status="paid",
        url=None,
    )
    sb.store.unschedule(session["id"])
    sb.save(session)
    sb.emit("checkout.session.completed", session)


def session_expiry_due(sb: Sandbox, session_id: str) -> None:
    session = sb.store.get(session_id)
    if session and session["status"] == "open":
        session_expire(sb, session)


def success_redirect(session: dict[str, Any]) -> str:
    return session["success_url"].replace("{CHECKOUT_SESSION_ID}", session["id"])
