"""Payment intents, created and confirmed in one call as Stripe CLI fixtures do."""

from typing import Any

from ..app import Sandbox
from ..catalog import merged_metadata, resolve_payment_method
from ..errors import InvalidRequest
from ..expand import answer
from ..forms import as_bool
from ..payments import card_charge
from ..registry import Resource, Route


def payment_intents_create(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    try:
        amount = int(params.get("amount", ""))
    except ValueError:
        raise InvalidRequest("Missing required param: amount.", param="amount") from None
    currency = str(params.get("currency") or "").lower()
    if not currency:
        raise InvalidRequest("Missing required param: currency.", param="currency")
    if not (as_bool(params.get("confirm")) and params.get("payment_method")):
        raise InvalidRequest(
            "The sandbox only creates payment intents with confirm=true and a payment_method.",
            param="confirm",
        )
    customer_id = params.get("customer") or None
    if customer_id:
        sb.get(customer_id, "customer", param="customer")
    payment_method = resolve_payment_method(
        sb, params["payment_method"], customer_id=customer_id, param="payment_method"
    )
    intent, charge, decline = card_charge(
        sb,
        amount=amount,
        currency=currency,
        customer_id=customer_id,
        payment_method=payment_method,
        description=params.get("description"),
        metadata=merged_metadata(None, params.get("metadata")),
        receipt_email=params.get("receipt_email"),
        at_checkout=False,
    )
    on_session = str(params.get("off_session") or "false").lower() == "false"
    if decline and decline.decline_code == "authentication_required" and on_session:
        return answer(sb, params, intent)  # on session: the client completes 3-D Secure
    if decline:
        decline.extra["payment_intent"] = intent
        raise decline
    return answer(sb, params, intent)


RESOURCES = (
    Resource(
        "payment_intent",
        prefix="pi_",
        path="payment_intents",
        links={"customer": "customer", "status": "status"},
        routes=(Route("POST", "/v1/payment_intents", payment_intents_create),),
        nested=("payment_intent:last_payment_error", "payment_intent:next_action"),
    ),
)
