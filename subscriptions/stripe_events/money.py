"""Money movements: payments (numbered and receipted where they are recorded), refunds,
disputes, and the balance transactions behind them."""

from dataclasses import dataclass
from typing import Any

from subscriptions import stripe_gateway as gateway
from subscriptions.models import (
    BalanceTransaction,
    Contribution,
    EmailKind,
    Payment,
    Payout,
    StripeEvent,
)
from subscriptions.models.payments import DisputeStatus
from subscriptions.money import money_format
from subscriptions.reports.books import booked_on_for
from subscriptions.services.outbox import email_queue
from subscriptions.services.receipts import receipt_number_assign

from .registry import handles, object_id


def payment_record(
    *, charge: gateway.ChargeInfo, contribution: Contribution | None, invoice_id: str
) -> Payment:
    """One Payment row per Stripe charge, whoever asks first; later calls refresh it."""
    transaction_info = charge.balance_transaction
    supporter = contribution.supporter if contribution else None
    payment, created = Payment.objects.select_for_update().get_or_create(
        stripe_charge_id=charge.id,
        defaults={
            "supporter": supporter,
            "contribution": contribution,
            "stripe_payment_intent_id": charge.payment_intent_id,
            "stripe_invoice_id": invoice_id,
            "stripe_balance_transaction_id": transaction_info.id if transaction_info else "",
            "amount": charge.amount,
            "currency": charge.currency,
            **settlement_of(charge),
            "amount_refunded": charge.amount_refunded,
            "paid_at": charge.created,
        },
    )
    if transaction_info is not None:
        balance_transaction_record(transaction_info, payout=None)
    if not created:
        if transaction_info is not None and not payment.stripe_balance_transaction_id:
            # First recorded before Stripe had settled the charge: now we know what came in.
            payment.stripe_balance_transaction_id = transaction_info.id
            for name, value in settlement_of(charge).items():
                setattr(payment, name, value)
        payment.supporter = payment.supporter or supporter
        payment.contribution = payment.contribution or contribution
        payment.stripe_invoice_id = payment.stripe_invoice_id or invoice_id
        payment.save()
    # All once-only (outbox keys), and waiting until we know who paid.
    payment_acknowledge(payment)
    refunds_apply(payment, charge)
    return payment


def settlement_of(charge: gateway.ChargeInfo) -> dict[str, Any]:
    """What the newsroom received for a charge: its balance transaction's gross, fee and net,
    in the settlement currency, and the rate; the charge itself until Stripe has one."""
    info = charge.balance_transaction
    if info is None:
        return {
            "settled_amount": charge.amount,
            "settlement_currency": charge.currency,
            "exchange_rate": None,
            "fee": 0,
            "net": charge.amount,
        }
    return {
        "settled_amount": info.amount,
        "settlement_currency": info.currency,
        "exchange_rate": info.exchange_rate,
        "fee": info.fee,
        "net": info.net,
    }


def payment_acknowledge(payment: Payment) -> None:
    """Once we know who paid: number the receipt, queue it, and thank them for a plan's
    first payment. Safe to repeat: the number and both emails are once-only."""
    if payment.supporter is None:
        return
    receipt_number_assign(payment)
    email_queue(kind=EmailKind.RECEIPT, supporter=payment.supporter, payment=payment)
    email_queue(kind=EmailKind.THANK_YOU, supporter=payment.supporter, payment=payment)


def balance_transaction_record(
    info: gateway.BalanceTransactionInfo, *, payout: Payout | None
) -> BalanceTransaction:
    """Store a balance transaction once; a payout, once known, is never unset, and what its
    source tells the ledger (the supporter's side, the card) fills in whatever was blank."""
    details = {
        name: getattr(info, name)
        for name in SOURCE_DETAILS
        if getattr(info, name) not in ("", None)
    }
    row, created = BalanceTransaction.objects.get_or_create(
        stripe_id=info.id,
        defaults={
            "payout": payout,
            "type": info.type,
            "reporting_category": info.reporting_category,
            "source_id": info.source_id,
            "amount": info.amount,
            "fee": info.fee,
            "net": info.net,
            "currency": info.currency,
            "exchange_rate": info.exchange_rate,
            "description": info.description,
            "created": info.created,
            "available_on": info.available_on,
            "booked_on": booked_on_for(info.created, info.currency),
            **details,
        },
    )
    if created:
        return row
    changed = [name for name, value in details.items() if getattr(row, name) in ("", None)]
    for name in changed:
        setattr(row, name, details[name])
    if payout is not None and row.payout_id != payout.pk:
        row.payout = payout
        changed.append("payout")
    if changed:
        row.save(update_fields=changed)
    return row


def refunds_apply(payment: Payment, charge: gateway.ChargeInfo) -> None:
    """The payment's refunds as Stripe has them now: the refunded total follows the charge (a
    failed refund gives it back, and staff see why in admin); the supporter hears of each
    refund once it has succeeded. Saves the payment."""
    payment.amount_refunded = charge.amount_refunded
    for refund in charge.refunds:
        if refund.balance_transaction is not None:
            # Into the ledger now, not at the nightly sync (which then finds it known).
            balance_transaction_card_fill(
                balance_transaction_record(refund.balance_transaction, payout=None)
            )
        if refund.status == "failed":
            _refund_failure_note(payment, refund)
    payment.save()
    for refund in charge.refunds:
        if refund.status == "succeeded":
            email_queue(
                kind=EmailKind.REFUND,
                supporter=payment.supporter,
                payment=payment,
                refunded_now=refund.amount,
                refund_id=refund.id,
            )


SOURCE_DETAILS = (
    "charge_id",
    "customer_id",
    "customer_facing_amount",
    "customer_facing_currency",
    "payment_method_type",
    "card_brand",
    "card_country",
    "dispute_reason",
)


def _charge_fetch(event: StripeEvent) -> gateway.ChargeInfo:
    return gateway.charge_retrieve(object_id(event))


def _refund_fetch(event: StripeEvent) -> gateway.ChargeInfo:
    return gateway.charge_retrieve(gateway.refund_retrieve(object_id(event)).charge_id)


@handles("charge.refunded", fetch=_charge_fetch)
@handles("refund.updated", "refund.failed", fetch=_refund_fetch)
def refunds_changed(charge: gateway.ChargeInfo) -> Payment | None:
    payment = Payment.objects.select_for_update().filter(stripe_charge_id=charge.id).first()
    if payment is None:
        # A refund can outrun the payment it refunds; recording the payment picks it up.
        return None
    refunds_apply(payment, charge)
    return payment


def balance_transaction_card_fill(row: BalanceTransaction) -> BalanceTransaction:
    """A refund's or dispute's row shows the card of the charge it belongs to."""
    if row.card_brand or not row.charge_id or row.source_id == row.charge_id:
        return row
    charge_row = (
        BalanceTransaction.objects.filter(source_id=row.charge_id).exclude(card_brand="").first()
    )
    if charge_row is None:
        return row
    row.payment_method_type = charge_row.payment_method_type
    row.card_brand = charge_row.card_brand
    row.card_country = charge_row.card_country
    if not row.customer_id:
        row.customer_id = charge_row.customer_id
    row.save(update_fields=["payment_method_type", "card_brand", "card_country", "customer_id"])
    return row


def _refund_failure_note(payment: Payment, refund: gateway.RefundInfo) -> None:
    if refund.failure_balance_transaction is not None:
        balance_transaction_card_fill(
            balance_transaction_record(refund.failure_balance_transaction, payout=None)
        )
    if refund.id in payment.refund_failures:
        return
    note = (
        f"Refund {refund.id} of {money_format(refund.amount, currency=refund.currency)} "
        f"failed ({refund.failure_reason or 'no reason given'}): the money stayed with us "
        "and the supporter was not told it was refunded."
    )
    payment.refund_failures = "\n".join(filter(None, [payment.refund_failures, note]))


@dataclass(frozen=True)
class DisputeFacts:
    dispute: gateway.DisputeInfo
    # The disputed charge, fetched in case the dispute outruns the event that records it.
    charge: gateway.ChargeInfo


def _dispute_fetch(event: StripeEvent) -> DisputeFacts:
    dispute = gateway.dispute_retrieve(object_id(event))
    return DisputeFacts(dispute=dispute, charge=gateway.charge_retrieve(dispute.charge_id))


@handles(
    "charge.dispute.created",
    "charge.dispute.updated",
    "charge.dispute.closed",
    fetch=_dispute_fetch,
)
def dispute_changed(facts: DisputeFacts) -> Payment:
    dispute = facts.dispute
    payment = Payment.objects.select_for_update().filter(stripe_charge_id=dispute.charge_id).first()
    if payment is None:
        # Disputed before its payment was recorded (a test card disputes at once): record
        # it from the charge now; the checkout or invoice event then says whose it is.
        payment = payment_record(charge=facts.charge, contribution=None, invoice_id="")
    for info in dispute.balance_transactions:
        # The withdrawal (and a won dispute's reversal) into the ledger now, not nightly.
        balance_transaction_card_fill(balance_transaction_record(info, payout=None))
    payment.stripe_dispute_id = dispute.id
    payment.dispute_status = (
        dispute.status if dispute.status in DisputeStatus.values else DisputeStatus.NEEDS_RESPONSE
    )
    payment.save(update_fields=["stripe_dispute_id", "dispute_status"])
    return payment
