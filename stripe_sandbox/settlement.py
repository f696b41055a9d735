"""Disputes and payouts: the movements that happen after a charge."""

from collections import defaultdict
from typing import Any

from .app import Sandbox
from .errors import InvalidRequest
from .ids import new_id
from .money import dispute_fee
from .payments import balance_transaction_create
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
    fee = dispute_fee(charge["currency"])
    transaction = balance_transaction_create(
        sb,
        amount=-charge["amount"],
        currency=charge["currency"],
        fee=fee,
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
        reversal = balance_transaction_create(
            sb,
            amount=dispute["amount"],
            currency=dispute["currency"],
            fee=0,
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


def payouts_create(sb: Sandbox) -> list[dict[str, Any]]:
    """Pay out everything available: one payout per currency, swept transactions marked."""
    now = sb.now()
    by_currency: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for transaction in sb.store.unswept_balance(now):
        by_currency[transaction["currency"]].append(transaction)
    payouts = []
    for currency, transactions in sorted(by_currency.items()):
        amount = sum(transaction["net"] for transaction in transactions)
        if amount <= 0:
            continue
        payout = skeleton(
            "payout",
            id=new_id("po_"),
            amount=amount,
            arrival_date=now,
            automatic=True,
            created=now,
            currency=currency,
            method="standard",
            source_type="card",
            status="pending",
            type="bank_account",
            reconciliation_status="completed",
            description="STRIPE SANDBOX PAYOUT",
            statement_descriptor="NEWSROOM",
            metadata={},
        )
        own = balance_transaction_create(
            sb,
            amount=-amount,
            currency=currency,
            fee=0,
            source=payout["id"],
            kind="payout",
            reporting_category="payout",
            description="STRIPE SANDBOX PAYOUT",
            available_on=now,
        )
        # Stripe lists the payout's own transaction under ?payout= too.
        sb.save(own, payout=payout["id"])
        for transaction in transactions:
            transaction["status"] = "available"
            sb.save(transaction, payout=payout["id"])
        payout["balance_transaction"] = own["id"]
        sb.save(payout)
        sb.emit("payout.created", payout)
        sb.update(payout, {"status": "paid"}, "payout.updated")
        sb.emit("payout.paid", payout)
        payouts.append(payout)
    return payouts
