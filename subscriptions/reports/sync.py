"""The nightly sync: list the balance transactions Stripe created in a window and record
any we have not heard of (a refund, a dispute, a payout's own transaction), filling in
what their sources tell the ledger. Fetch first, then write in one transaction."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from subscriptions import stripe_gateway as gateway
from subscriptions.models import BalanceTransaction, Payout
from subscriptions.stripe_events.money import (
    balance_transaction_card_fill,
    balance_transaction_record,
)

SYNC_DAYS = 3


def balance_transactions_sync(
    *, created_from: datetime | None = None, created_to: datetime | None = None
) -> int:
    """Record every transaction of the window (the last three days by default); answer how
    many were new to us."""
    created_to = created_to or timezone.now() + timedelta(minutes=5)
    created_from = created_from or created_to - timedelta(days=SYNC_DAYS)
    infos = gateway.balance_transactions_list(created_from=created_from, created_to=created_to)
    known = set(
        BalanceTransaction.objects.filter(stripe_id__in=[i.id for i in infos]).values_list(
            "stripe_id", flat=True
        )
    )
    with transaction.atomic():
        balance_transactions_record(infos)
    return len({info.id for info in infos} - known)


def balance_transactions_record(infos: list[gateway.BalanceTransactionInfo]) -> None:
    """Record listed transactions (inside the caller's transaction), each with its payout."""
    # Charges first, so a refund or dispute finds its charge's card to copy.
    infos = sorted(infos, key=lambda info: (info.created, info.type != "charge"))
    payouts = {
        p.stripe_payout_id: p
        for p in Payout.objects.filter(stripe_payout_id__in=[i.source_id for i in infos])
    }
    for info in infos:
        balance_transaction_card_fill(
            balance_transaction_record(info, payout=payouts.get(info.source_id))
        )


def ledger_nightly() -> dict[str, int]:
    """The nightly pass: record what Stripe has that we missed, then tie out every payout."""
    from .tieout import payouts_tie_out

    return {"recorded": balance_transactions_sync(), "unmatched_payouts": payouts_tie_out()}
