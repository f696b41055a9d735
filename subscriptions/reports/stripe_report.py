"""Our ledger beside Stripe's own itemized payout reconciliation report
(`payout_reconciliation.itemized.5`), line by line.

Stripe's report lists the transactions of the automatic payouts that arrived in the
interval; we ask for it (Reporting API), read the CSV from Stripe's files host and compare
each line with our ledger row of the same balance transaction, column by column, for the
columns both sides know from Stripe's records."""

import csv
import io
import time
from dataclasses import dataclass
from datetime import timedelta

from subscriptions import stripe_gateway as gateway
from subscriptions.models import BalanceTransaction, Payout

from .books import local_midnight
from .ledger import STRIPE_COLUMNS, Period, ledger_rows

# What both sides hold from Stripe's records (the customer's email and name are ours, kept
# from the supporter; Stripe's are the customer object's, which may differ).
COMPARED_COLUMNS = [
    "balance_transaction_id",
    "created_utc",
    "available_on_utc",
    "currency",
    "gross",
    "fee",
    "net",
    "reporting_category",
    "source_id",
    "customer_facing_amount",
    "customer_facing_currency",
    "automatic_payout_id",
    "automatic_payout_effective_at_utc",
    "charge_id",
    "payment_method_type",
    "card_brand",
    "card_country",
    "dispute_reason",
]
POLL_SECONDS = (0, 1, 2, 5, 10, 20)


@dataclass(frozen=True)
class Difference:
    balance_transaction_id: str
    column: str
    ours: str
    stripes: str

    def __str__(self) -> str:
        if self.column == "(row)":
            return f"{self.balance_transaction_id}: {self.ours or 'not in our ledger'} / " + (
                self.stripes or "not in Stripe's report"
            )
        return (
            f"{self.balance_transaction_id}: {self.column} is {self.ours!r} in our ledger, "
            f"{self.stripes!r} in Stripe's report"
        )


def stripe_itemized_report(period: Period) -> list[dict[str, str]]:
    """Ask Stripe for the report and wait (briefly) for its file."""
    run = gateway.report_run_create(
        report_type=gateway.ITEMIZED_PAYOUT_REPORT,
        interval_start=local_midnight(period.start),
        interval_end=local_midnight(period.end),
        currency=period.currency,
        columns=STRIPE_COLUMNS,
    )
    for pause in POLL_SECONDS:
        time.sleep(pause)
        if run.status != "pending":
            break
        run = gateway.report_run_retrieve(run.id)
    if run.status != "succeeded":
        raise gateway.GatewayError(f"Stripe's report run {run.id} ended {run.status}: {run.error}")
    return list(csv.DictReader(io.StringIO(gateway.report_file_download(run.file_url))))


def our_itemized_rows(period: Period) -> dict[str, dict[str, str]]:
    """Our ledger rows of the same transactions: those of the automatic payouts that
    arrived in the period, whatever day each transaction is booked on."""
    payouts = Payout.objects.filter(
        automatic=True,
        currency=period.currency,
        arrival_date__gte=local_midnight(period.start),
        arrival_date__lt=local_midnight(period.end),
    )
    ids = set(
        BalanceTransaction.objects.filter(payout__in=payouts)
        .exclude(source_id__in=payouts.values("stripe_payout_id"))
        .values_list("stripe_id", flat=True)
    )
    booked = BalanceTransaction.objects.filter(stripe_id__in=ids).values_list(
        "booked_on", flat=True
    )
    if not ids:
        return {}
    start, end = min(booked), max(booked)
    rows = {}
    wider = Period(start=start, end=end + timedelta(days=1), currency=period.currency)
    for row in ledger_rows(wider):
        if row[0] in ids:
            rows[row[0]] = dict(zip(STRIPE_COLUMNS, row, strict=False))
    return rows


def itemized_compare(
    ours: dict[str, dict[str, str]], stripes: list[dict[str, str]]
) -> list[Difference]:
    differences = []
    seen = set()
    for line in stripes:
        txn_id = line["balance_transaction_id"]
        seen.add(txn_id)
        row = ours.get(txn_id)
        if row is None:
            differences.append(Difference(txn_id, "(row)", "", "in Stripe's report"))
            continue
        for column in COMPARED_COLUMNS:
            if row[column] != line.get(column, ""):
                differences.append(Difference(txn_id, column, row[column], line.get(column, "")))
    for txn_id in sorted(set(ours) - seen):
        differences.append(Difference(txn_id, "(row)", "in our ledger", ""))
    return differences


def ledger_compare_with_stripe(period: Period) -> list[Difference]:
    """Every difference between Stripe's itemized report for the period and our ledger."""
    stripes = stripe_itemized_report(period)
    return itemized_compare(our_itemized_rows(period), stripes)
