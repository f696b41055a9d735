"""Payouts: the payout and the balance transactions it pays out."""

from subscriptions import stripe_gateway as gateway
from subscriptions.models import Payout, StripeEvent

from .money import balance_transaction_record
from .registry import handles, object_id


def _fetch(event: StripeEvent) -> gateway.PayoutInfo:
    return gateway.payout_retrieve(object_id(event))


@handles("payout.paid", fetch=_fetch)
def payout_paid(info: gateway.PayoutInfo) -> Payout:
    payout, _ = Payout.objects.update_or_create(
        stripe_payout_id=info.id,
        defaults={
            "amount": info.amount,
            "currency": info.currency,
            "status": info.status,
            "arrival_date": info.arrival_date,
        },
    )
    for transaction_info in info.balance_transactions:
        balance_transaction_record(transaction_info, payout=payout)
    return payout
