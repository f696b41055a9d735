"""Payouts: the payout, its fate, and (once Stripe has reconciled it) the balance
transactions it paid out."""

from django.db import transaction
from django.utils import timezone

from subscriptions import stripe_gateway as gateway
from subscriptions.models import Payout, StripeEvent
from subscriptions.models.payments import ReconciliationStatus
from subscriptions.reports.tieout import payout_tie_out

from .money import balance_transaction_record
from .registry import handles, object_id


def _fetch(event: StripeEvent) -> gateway.PayoutInfo:
    return gateway.payout_retrieve(object_id(event))


@handles(
    "payout.paid",
    "payout.reconciliation_completed",
    "payout.failed",
    "payout.canceled",
    fetch=_fetch,
)
def payout_changed(info: gateway.PayoutInfo) -> Payout:
    return payout_record(info)


def payout_record(info: gateway.PayoutInfo) -> Payout:
    """Record the payout as Stripe has it now. Its transactions are linked only when the
    list is complete (an automatic payout whose reconciliation is completed); a manual
    payout is marked not itemizable and is never listed."""
    if info.automatic:
        status = info.reconciliation_status or ReconciliationStatus.IN_PROGRESS
    else:
        status = ReconciliationStatus.NOT_APPLICABLE
    payout, _ = Payout.objects.select_for_update().update_or_create(
        stripe_payout_id=info.id,
        defaults={
            "amount": info.amount,
            "currency": info.currency,
            "status": info.status,
            "arrival_date": info.arrival_date,
            "automatic": info.automatic,
            "reconciliation_status": status,
            "failure_code": info.failure_code,
            "failure_message": info.failure_message,
        },
    )
    if info.itemizable:
        for transaction_info in info.balance_transactions:
            balance_transaction_record(transaction_info, payout=payout)
        if payout.reconciled_at is None:
            payout.reconciled_at = timezone.now()
            payout.save(update_fields=["reconciled_at"])
        payout_tie_out(payout)
    return payout


def payout_reconcile(*, stripe_payout_id: str) -> Payout:
    """Ask Stripe about one payout again and record what it says now (fetch, then apply)."""
    info = gateway.payout_retrieve(stripe_payout_id)
    with transaction.atomic():
        return payout_record(info)
