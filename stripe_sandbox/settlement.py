"""Disputes and payouts: the movements that happen after a charge."""

from collections import defaultdict
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


# Stripe completes a paid automatic payout's reconciliation a little later; only then is the
# list of its balance transactions complete (`GET /v1/balance_transactions?payout=`).
RECONCILE_AFTER_SECONDS = 3600
# A manual payout arrives at the bank a day after it is made (and may be canceled until then).
MANUAL_ARRIVAL_SECONDS = 86400
PAYOUT_FAILURES = {
    "account_closed": "The bank account has been closed.",
    "account_frozen": "The bank account has been frozen.",
    "insufficient_funds": "Your Stripe account has insufficient funds to cover the payout.",
    "invalid_account_number": "The bank account number seems to be invalid.",
    "no_account": "The bank account details on file are probably incorrect.",
}


def payout_new(sb: Sandbox, *, amount: int, currency: str, automatic: bool) -> dict[str, Any]:
    now = sb.now()
    payout = skeleton(
        "payout",
        id=new_id("po_"),
        amount=amount,
        arrival_date=now if automatic else now + MANUAL_ARRIVAL_SECONDS,
        automatic=automatic,
        created=now,
        currency=currency,
        method="standard",
        source_type="card",
        status="pending",
        type="bank_account",
        reconciliation_status="in_progress" if automatic else "not_applicable",
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
    payout["balance_transaction"] = own["id"]
    if automatic:
        # Stripe lists the payout's own transaction under ?payout= too.
        sb.save(own, payout=payout["id"])
    # A manual payout's own transaction stays in the balance: the next automatic payout nets
    # it, as Stripe cannot say which transactions a manual payout paid out.
    return payout


def payouts_create(sb: Sandbox) -> list[dict[str, Any]]:
    """Pay out everything available, as Stripe's automatic payouts do: one payout per
    currency, its transactions linked to it, paid now and reconciled an hour later."""
    now = sb.now()
    by_currency: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for transaction in sb.store.unswept_balance(now):
        by_currency[transaction["currency"]].append(transaction)
    payouts = []
    for currency, transactions in sorted(by_currency.items()):
        amount = sum(transaction["net"] for transaction in transactions)
        if amount <= 0:
            continue
        payout = payout_new(sb, amount=amount, currency=currency, automatic=True)
        for transaction in transactions:
            transaction["status"] = "available"
            sb.save(transaction, payout=payout["id"])
        sb.save(payout)
        sb.emit("payout.created", payout)
        payout_pay(sb, payout)
        sb.schedule(now + RECONCILE_AFTER_SECONDS, "payout.reconcile", payout["id"])
        payouts.append(payout)
    return payouts


def available_balance(sb: Sandbox, currency: str) -> int:
    return sum(t["net"] for t in sb.store.unswept_balance(sb.now()) if t["currency"] == currency)


def payout_manual_create(sb: Sandbox, *, amount: int, currency: str) -> dict[str, Any]:
    """`POST /v1/payouts`: a payout of part of the available balance, arriving tomorrow."""
    if amount <= 0:
        raise InvalidRequest("Amount must be at least 1.", param="amount")
    if currency != sb.settlement_currency:
        raise InvalidRequest(
            f"This account can only pay out {sb.settlement_currency}.", param="currency"
        )
    if amount > available_balance(sb, currency):
        raise InvalidRequest(
            "You have insufficient funds in your Stripe account for this transfer.",
            param="amount",
            code="balance_insufficient",
        )
    payout = payout_new(sb, amount=amount, currency=currency, automatic=False)
    sb.save(payout)
    sb.emit("payout.created", payout)
    sb.schedule(payout["arrival_date"], "payout.arrive", payout["id"])
    return payout


def payout_pay(sb: Sandbox, payout: dict[str, Any]) -> None:
    sb.update(payout, {"status": "paid"}, "payout.updated")
    sb.emit("payout.paid", payout)


def payout_arrive(sb: Sandbox, payout_id: str) -> None:
    payout = sb.get(payout_id, "payout")
    if payout["status"] == "pending":
        payout_pay(sb, payout)


def payout_reconcile(sb: Sandbox, payout_id: str) -> dict[str, Any]:
    """Complete a paid automatic payout's reconciliation (at once, or an hour after it paid)."""
    payout = sb.get(payout_id, "payout")
    if payout["reconciliation_status"] != "in_progress" or payout["status"] != "paid":
        return payout
    sb.store.unschedule(payout_id, "payout.reconcile")
    sb.update(payout, {"reconciliation_status": "completed"}, "payout.updated")
    sb.emit("payout.reconciliation_completed", payout)
    return payout


def payout_reverse(
    sb: Sandbox, payout: dict[str, Any], *, kind: str, description: str
) -> dict[str, Any]:
    """The balance transaction that gives a canceled or failed payout's money back."""
    transaction = balance_transaction_create(
        sb,
        amount=payout["amount"],
        currency=payout["currency"],
        fee=0,
        source=payout["id"],
        kind=kind,
        reporting_category="payout_reversal",
        description=description,
        available_on=sb.now(),
    )
    return transaction


def payout_cancel(sb: Sandbox, payout_id: str) -> dict[str, Any]:
    """`POST /v1/payouts/<id>/cancel`: only a pending payout; its amount goes back."""
    payout = sb.get(payout_id, "payout")
    if payout["status"] != "pending":
        raise InvalidRequest(
            f"Payout {payout_id} cannot be canceled: only a pending payout can be.",
            param="payout",
        )
    payout_reverse(sb, payout, kind="payout_cancel", description="STRIPE SANDBOX PAYOUT CANCEL")
    sb.store.unschedule(payout_id)
    sb.update(payout, {"status": "canceled"}, "payout.updated")
    sb.emit("payout.canceled", payout)
    return payout


def payout_fail(sb: Sandbox, payout_id: str, failure_code: str) -> dict[str, Any]:
    """The bank returned the payout: failed, with Stripe's code and message; money back."""
    if failure_code not in PAYOUT_FAILURES:
        raise InvalidRequest(
            f"failure_code must be one of {', '.join(sorted(PAYOUT_FAILURES))}.",
            param="failure_code",
        )
    payout = sb.get(payout_id, "payout")
    if payout["status"] in ("failed", "canceled"):
        raise InvalidRequest(f"Payout {payout_id} is already {payout['status']}.", param="payout")
    reversal = payout_reverse(
        sb, payout, kind="payout_failure", description="STRIPE SANDBOX PAYOUT FAILURE"
    )
    sb.store.unschedule(payout_id)
    changes = {
        "status": "failed",
        "failure_code": failure_code,
        "failure_message": PAYOUT_FAILURES[failure_code],
        "failure_balance_transaction": reversal["id"],
    }
    sb.update(payout, changes, "payout.updated")
    sb.emit("payout.failed", payout)
    return payout
