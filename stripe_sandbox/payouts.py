"""Payouts as Stripe makes them: automatic ones sweep the available balance and are
reconciled a little after they are paid; manual ones pay out part of it and cannot be
itemized; a pending payout can be canceled and a paid one can fail."""

from collections import defaultdict
from typing import Any

from .app import Sandbox
from .errors import InvalidRequest
from .ids import new_id
from .payments import balance_transaction_create
from .shapes import skeleton

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
    return balance_transaction_create(
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
