"""Disputes: the movements that happen after a charge (payouts are in payouts.py)."""

from decimal import Decimal
from typing import Any

from .app import Sandbox
from .errors import InvalidRequest
from .ids import new_id
from .money import dispute_fee
from .payments import balance_transaction_create, settled_amount, settlement_of
from .shapes import nested, skeleton

EVIDENCE_DUE_SECONDS = 7 * 86400
DISPUTE_OUTCOMES = ("won", "lost")


def dispute_open(sb: Sandbox, charge_id: str, reason: str = "fraudulent") -> dict[str, Any]:
    charge = sb.get(charge_id, "charge", param="charge")
    if charge["status"] != "succeeded":
        raise InvalidRequest("Only a succeeded charge can be disputed.", param="charge")
    if charge["disputed"]:
        raise InvalidRequest(f"Charge {charge_id} is already disputed.", param="charge")
    now = sb.now()
    dispute = skeleton(
        "dispute",
        id=new_id("dp_"),
        amount=charge["amount"],
        charge=charge["id"],
        currency=charge["currency"],
        created=now,
        payment_intent=charge["payment_intent"],
        reason=reason,
        status="needs_response",
        is_charge_refundable=False,
        evidence_details=nested(
            "dispute:evidence_details", due_by=now + EVIDENCE_DUE_SECONDS, submission_method=None
        ),
    )
    currency, rate = settlement_of(sb, charge)
    transaction = balance_transaction_create(
        sb,
        amount=-settled_amount(charge, charge["amount"], currency, rate),
        currency=currency,
        fee=dispute_fee(currency),
        rate=rate,
        source=dispute["id"],
        kind="adjustment",
        reporting_category="dispute",
        description=f"Chargeback withdrawal for {charge['id']}",
        fee_description="Dispute fee",
        available_on=now,
    )
    dispute["balance_transactions"] = [transaction]
    sb.save(dispute)
    sb.update(charge, {"disputed": True}, "charge.updated")
    sb.emit("charge.dispute.created", dispute)
    return dispute


def dispute_close(sb: Sandbox, dispute_id: str, outcome: str) -> dict[str, Any]:
    if outcome not in DISPUTE_OUTCOMES:
        raise InvalidRequest("outcome must be 'won' or 'lost'.", param="outcome")
    dispute = sb.get(dispute_id, "dispute")
    if dispute["status"] in DISPUTE_OUTCOMES:
        raise InvalidRequest(f"Dispute {dispute_id} is already closed.", param="dispute")
    if outcome == "won":
        withdrawal = dispute["balance_transactions"][0]
        rate = withdrawal["exchange_rate"]
        reversal = balance_transaction_create(
            sb,
            amount=-withdrawal["amount"],
            currency=withdrawal["currency"],
            fee=0,
            rate=None if rate is None else Decimal(str(rate)),
            source=dispute["id"],
            kind="adjustment",
            reporting_category="dispute_reversal",
            description=f"Chargeback reversal for {dispute['charge']}",
            available_on=sb.now(),
        )
        dispute["balance_transactions"].append(reversal)
    dispute["status"] = outcome
    sb.save(dispute)
    sb.emit("charge.dispute.closed", dispute)
    return dispute
