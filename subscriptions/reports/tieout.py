"""Payout tie-out: a payout is matched when the net of the balance transactions it paid out
equals its amount. Checked when Stripe completes a payout's reconciliation and nightly; a
payout that does not tie out shows on the Reports page and in /healthz."""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import QuerySet, Sum
from django.utils import timezone

from subscriptions.models import BalanceTransaction, Payout
from subscriptions.models.payments import ReconciliationStatus

from .books import local_midnight
from .ledger import Period, major, stamp

PAYOUT_COLUMNS = [
    "automatic_payout_id",
    "automatic_payout_effective_at_utc",
    "currency",
    "payout_amount",
    "balance_transaction_id",
    "reporting_category",
    "created_utc",
    "gross",
    "fee",
    "net",
    "transactions_net",
    "difference",
    "matched",
]


def _transactions(payout: Payout) -> QuerySet[BalanceTransaction]:
    return BalanceTransaction.objects.filter(payout=payout).exclude(
        source_id=payout.stripe_payout_id
    )


def payout_tie_out(payout: Payout) -> int:
    """Compare and store; answer the difference (our sum less the payout amount)."""
    total = _transactions(payout).aggregate(net=Sum("net"))["net"] or 0
    payout.tie_out_difference = total - payout.amount
    payout.tied_out_at = timezone.now()
    payout.save(update_fields=["tie_out_difference", "tied_out_at"])
    return payout.tie_out_difference


def payouts_tie_out() -> int:
    """Tie out every reconciled payout; answer how many do not match."""
    unmatched = 0
    reconciled = Payout.objects.filter(reconciliation_status=ReconciliationStatus.COMPLETED)
    for payout in reconciled.iterator():
        if payout_tie_out(payout):
            unmatched += 1
    return unmatched


@dataclass(frozen=True)
class Mismatch:
    payout: Payout
    transactions: list[BalanceTransaction]

    @property
    def difference_text(self) -> str:
        return major(self.payout.tie_out_difference or 0, self.payout.currency)


def payouts_not_tied_out() -> list[Mismatch]:
    payouts = Payout.objects.exclude(tie_out_difference=0).exclude(tie_out_difference=None)
    return [Mismatch(payout, list(_transactions(payout))) for payout in payouts]


def payout_rows(period: Period) -> Iterator[list[str]]:
    """Each payout arriving in the period: one line for the payout, one per transaction."""
    payouts = Payout.objects.filter(
        currency=period.currency,
        arrival_date__gte=local_midnight(period.start),
        arrival_date__lt=local_midnight(period.end),
    ).order_by("arrival_date", "id")
    for payout in payouts:
        currency = payout.currency
        transactions = list(_transactions(payout).order_by("created", "id"))
        total = sum(t.net for t in transactions)
        itemized = payout.reconciliation_status == ReconciliationStatus.COMPLETED
        difference = total - payout.amount if itemized else None
        head = [payout.stripe_payout_id, stamp(payout.arrival_date), currency]
        yield [
            *head,
            major(payout.amount, currency),
            "",
            "payout",
            "",
            "",
            "",
            "",
            major(total, currency),
            "" if difference is None else major(difference, currency),
            "" if difference is None else ("yes" if difference == 0 else "no"),
        ]
        for transaction in transactions:
            yield [
                *head,
                "",
                transaction.stripe_id,
                transaction.reporting_category,
                stamp(transaction.created),
                major(transaction.amount, currency),
                major(transaction.fee, currency),
                major(transaction.net, currency),
                "",
                "",
                "",
            ]
