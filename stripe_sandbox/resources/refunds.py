"""Refunds: `POST /v1/refunds` with a charge or a payment intent."""

from typing import Any

from ..app import Sandbox
from ..errors import InvalidRequest
from ..expand import answer
from ..ids import new_id
from ..payments import balance_transaction_create, settled_amount, settlement_of
from ..registry import Resource, Route
from ..shapes import skeleton

REFUND_FAILS_AFTER_SECONDS = 86400


def refund_create(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    if params.get("charge"):
        charge = sb.get(params["charge"], "charge", param="charge")
    elif params.get("payment_intent"):
        intent = sb.get(params["payment_intent"], "payment_intent", param="payment_intent")
        if not intent.get("latest_charge"):
            raise InvalidRequest(
                "This PaymentIntent does not have a successful charge to refund.",
                param="payment_intent",
            )
        charge = sb.get(intent["latest_charge"], "charge")
    else:
        raise InvalidRequest("One of charge or payment_intent is required.", param="charge")
    if charge["status"] != "succeeded":
        raise InvalidRequest(f"Charge {charge['id']} has not succeeded.", param="charge")
    remaining = charge["amount"] - charge["amount_refunded"]
    try:
        amount = int(params.get("amount") or remaining)
    except ValueError:
        raise InvalidRequest("Invalid integer: amount.", param="amount") from None
    if remaining <= 0:
        raise InvalidRequest(
            f"Charge {charge['id']} has already been refunded.",
            param="charge",
            code="charge_already_refunded",
        )
    if amount <= 0 or amount > remaining:
        raise InvalidRequest(
            f"Refund amount ({amount}) is greater than unrefunded amount on charge ({remaining}).",
            param="amount",
            code="amount_too_large",
        )
    refund = skeleton(
        "refund",
        id=new_id("re_"),
        amount=amount,
        charge=charge["id"],
        created=sb.now(),
        currency=charge["currency"],
        payment_intent=charge["payment_intent"],
        reason=params.get("reason") or None,
        metadata=dict(params.get("metadata") or {}),
        status="pending" if refund_will_fail(sb, charge) else "succeeded",
    )
    currency, rate = settlement_of(sb, charge)
    transaction = balance_transaction_create(
        sb,
        amount=-settled_amount(charge, amount, currency, rate),
        currency=currency,
        fee=0,
        source=refund["id"],
        kind="refund",
        reporting_category="refund",
        description="REFUND FOR CHARGE",
        available_on=sb.now(),
        rate=rate,
    )
    refund["balance_transaction"] = transaction["id"]
    sb.save(refund)
    sb.emit("refund.created", refund)
    if refund["status"] == "pending":
        sb.schedule(sb.now() + REFUND_FAILS_AFTER_SECONDS, "refund.fail", refund["id"])
    refunded_total = charge["amount_refunded"] + amount
    sb.update(
        charge,
        {"amount_refunded": refunded_total, "refunded": refunded_total == charge["amount"]},
        "charge.refunded",
    )
    return refund


def refund_will_fail(sb: Sandbox, charge: dict[str, Any]) -> bool:
    payment_method = sb.store.get(charge.get("payment_method") or "") or {}
    return (payment_method.get("card") or {}).get("fingerprint") == "refund_fails"


def refund_fail(sb: Sandbox, refund_id: str) -> None:
    """Clock job: the card network returns the refund; the money comes back to the balance."""
    refund = sb.store.get(refund_id)
    if not refund or refund["status"] != "pending":
        return
    charge = sb.get(refund["charge"], "charge")
    # Back in the settlement currency, at the original charge's rate (as the refund went out).
    currency, rate = settlement_of(sb, charge)
    transaction = balance_transaction_create(
        sb,
        amount=settled_amount(charge, refund["amount"], currency, rate),
        currency=currency,
        fee=0,
        source=refund["id"],
        kind="refund_failure",
        reporting_category="refund_failure",
        description="REFUND FAILURE",
        available_on=sb.now(),
        rate=rate,
    )
    sb.update(
        refund,
        {
            "status": "failed",
            "failure_reason": "expired_or_canceled_card",
            "failure_balance_transaction": transaction["id"],
        },
        "refund.updated",
    )
    sb.emit("charge.refund.updated", refund)
    sb.emit("refund.failed", refund)
    refunded_total = charge["amount_refunded"] - refund["amount"]
    charge.update(amount_refunded=refunded_total, refunded=False)
    sb.save(charge)


def refunds_create(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    return answer(sb, params, refund_create(sb, params))


RESOURCES = (
    Resource(
        "refund",
        prefix="re_",
        path="refunds",
        links={
            "customer": "customer",
            "charge": "charge",
            "payment_intent": "payment_intent",
            "status": "status",
        },
        routes=(Route("POST", "/v1/refunds", refunds_create),),
        jobs={"fail": refund_fail},
    ),
)
