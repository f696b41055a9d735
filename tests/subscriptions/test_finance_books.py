"""Finance's month, end to end over HTTP to the sandbox: gifts in euros, dollars and pounds
into a EUR account, partial refunds, a lost and a won dispute, renewals, two payouts a
month apart. Every payout ties out, Stripe's itemized report agrees with our ledger line by
line, one month's closing balance opens the next, and the journal balances."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

from subscriptions.models import BalanceTransaction, Payment, Payout
from subscriptions.reports.books import month_of, next_month
from subscriptions.reports.exports import report_build, report_write
from subscriptions.reports.ledger import LEDGER_COLUMNS, Period
from subscriptions.reports.stripe_report import ledger_compare_with_stripe
from subscriptions.reports.summary import minor
from subscriptions.reports.sync import balance_transactions_sync, ledger_nightly

DISPUTE_CARD_OUTCOMES = ("lost", "won")


def _sandbox_now(site) -> datetime:
    return datetime.fromtimestamp(site.sandbox.control("GET", "/_sandbox/clock")["now"], tz=UTC)


def _pay_out_and_reconcile(site) -> None:
    site.sandbox.control("POST", "/_sandbox/payouts")
    site.settle()
    site.sandbox.control("POST", "/_sandbox/clock/advance", {"seconds": 3600})
    site.settle()


def _rows(name: str, period: Period) -> list[dict[str, str]]:
    out = io.BytesIO()
    report_write(report_build(name, period), out, "csv")
    return list(csv.DictReader(io.StringIO(out.getvalue().decode())))


def _a_month_of_giving(site, stripe_api) -> tuple[datetime, datetime]:
    began = _sandbox_now(site)
    site.give(amount="30", frequency="once", currency="eur", email="euro@example.org")
    site.give(amount="25", frequency="month", currency="usd", email="dollar@example.org")
    site.give(amount="20", frequency="once", currency="gbp", email="pound@example.org")
    site.give(amount="50", frequency="once", currency="eur", email="lost@example.org")
    site.give(amount="40", frequency="once", currency="eur", email="won@example.org")
    usd = Payment.objects.get(currency="usd")
    gbp = Payment.objects.get(currency="gbp")
    stripe_api.v1.refunds.create({"charge": usd.stripe_charge_id, "amount": 733})
    stripe_api.v1.refunds.create({"charge": gbp.stripe_charge_id, "amount": 499})
    for email, outcome in zip(
        ("lost@example.org", "won@example.org"), DISPUTE_CARD_OUTCOMES, strict=True
    ):
        charge_id = Payment.objects.get(supporter__email=email).stripe_charge_id
        site.sandbox.control("POST", f"/_sandbox/charges/{charge_id}/dispute", {"outcome": outcome})
    site.settle()
    site.advance(days=3)
    _pay_out_and_reconcile(site)
    # A month later: the dollar plan renews, a new gift, another refund, the second payout.
    site.advance(days=32)
    site.give(amount="12.50", frequency="once", currency="eur", email="late@example.org")
    late = Payment.objects.get(supporter__email="late@example.org")
    stripe_api.v1.refunds.create({"charge": late.stripe_charge_id, "amount": 250})
    site.settle()
    site.advance(days=3)
    _pay_out_and_reconcile(site)
    return began, _sandbox_now(site)


def test_every_payout_ties_out_and_stripes_report_agrees_line_by_line(site, stripe_api):
    began, ended = _a_month_of_giving(site, stripe_api)
    recorded = balance_transactions_sync(
        created_from=began - timedelta(days=1), created_to=ended + timedelta(days=1)
    )

    assert recorded > 0  # the payouts' own transactions came by the sync
    payouts = list(Payout.objects.order_by("arrival_date"))
    assert len(payouts) == 2
    assert all(p.reconciliation_status == "completed" for p in payouts)
    assert [p.tie_out_difference for p in payouts] == [0, 0]
    assert ledger_nightly()["unmatched_payouts"] == 0
    categories = set(BalanceTransaction.objects.values_list("reporting_category", flat=True))
    assert {"charge", "refund", "dispute", "dispute_reversal", "payout"} <= categories
    assert set(BalanceTransaction.objects.values_list("currency", flat=True)) == {"eur"}

    period = Period(
        start=month_of(began.date()) - timedelta(days=1),
        end=next_month(next_month(month_of(ended.date()))),
        currency="eur",
    )
    assert ledger_compare_with_stripe(period) == []

    ledger = _rows("ledger", period)
    assert list(ledger[0]) == LEDGER_COLUMNS
    by_id = {row["balance_transaction_id"]: row for row in ledger}
    usd = Payment.objects.filter(currency="usd").earliest("paid_at")
    charge_row = next(
        r
        for r in ledger
        if r["charge_id"] == usd.stripe_charge_id and r["reporting_category"] == "charge"
    )
    assert (charge_row["customer_facing_amount"], charge_row["customer_facing_currency"]) == (
        "25.00",
        "usd",
    )
    assert (charge_row["gross"], charge_row["fee"], charge_row["net"]) == ("23.00", "0.60", "22.40")
    assert (charge_row["recurring_or_once"], charge_row["frequency"]) == ("recurring", "month")
    assert charge_row["customer_email"] == "dollar@example.org"
    refund_row = next(
        r
        for r in ledger
        if r["charge_id"] == usd.stripe_charge_id and r["reporting_category"] == "refund"
    )
    assert (refund_row["gross"], refund_row["customer_facing_amount"]) == ("-6.74", "-7.33")
    renewals = [r for r in ledger if r["charge_id"] and r["first_or_repeat"] == "repeat"]
    assert renewals
    assert all(r["customer_facing_currency"] == "usd" for r in renewals)
    lost = next(r for r in ledger if r["reporting_category"] == "dispute" and r["dispute_reason"])
    assert lost["fee"] == "15.00"
    assert len(by_id) == len(ledger)


def test_a_months_closing_balance_opens_the_next_and_the_journal_balances(site, stripe_api):
    began, ended = _a_month_of_giving(site, stripe_api)
    balance_transactions_sync(
        created_from=began - timedelta(days=1), created_to=ended + timedelta(days=1)
    )
    first = month_of(began.date())
    months = [first, next_month(first), next_month(next_month(first))]
    period = Period(start=months[0], end=next_month(months[-1]), currency="eur")

    summary = _rows("summary", period)
    opening = {r["month"]: minor(r["net"]) for r in summary if r["section"] == "opening_balance"}
    closing = {r["month"]: minor(r["net"]) for r in summary if r["section"] == "closing_balance"}
    labels = [f"{m:%Y-%m}" for m in months]
    assert opening[labels[0]] == 0
    assert closing[labels[0]] == opening[labels[1]]
    assert closing[labels[1]] == opening[labels[2]]
    # Everything that came in went out in the two payouts, less what is still pending.
    total_net = sum(BalanceTransaction.objects.values_list("net", flat=True))
    assert closing[labels[-1]] == total_net

    journal = _rows("journal", period)
    debits = sum(minor(r["debit"]) for r in journal)
    credits = sum(minor(r["credit"]) for r in journal)
    assert debits == credits > 0
    assert {r["account"] for r in journal} >= {
        "1210",
        "1200",
        "4000",
        "4010",
        "4090",
        "6810",
        "6820",
    }


def test_the_time_zone_edge_lands_in_the_right_month(db, settings):
    """A gift at 23:30 UTC on 31 March in a UTC+1 zone belongs to April."""
    settings.NEWSROOM_TIME_ZONE = "Africa/Lagos"  # UTC+1 all year
    from subscriptions.reports.books import booked_on_for

    moment = datetime(2026, 3, 31, 23, 30, tzinfo=UTC)
    BalanceTransaction.objects.create(
        stripe_id="txn_edge",
        reporting_category="charge",
        type="charge",
        source_id="ch_edge",
        amount=1000,
        fee=40,
        net=960,
        currency="eur",
        created=moment,
        available_on=moment,
        booked_on=booked_on_for(moment, "eur"),
    )
    march = _rows("ledger", Period(date(2026, 3, 1), date(2026, 4, 1), "eur"))
    april = _rows("ledger", Period(date(2026, 4, 1), date(2026, 5, 1), "eur"))
    assert march == []
    (row,) = april
    assert (row["created_utc"], row["created"], row["local_date"]) == (
        "2026-03-31 23:30:00",
        "2026-04-01 00:30:00",
        "2026-04-01",
    )
