"""Refunds and disputes enter the ledger when their webhook arrives (the handler fetches
their balance transactions, then records them), not only at the nightly sync; the sync
then finds them known and doubles nothing."""

from datetime import UTC, datetime, timedelta

from subscriptions.models import BalanceTransaction, Payment
from subscriptions.reports.sync import balance_transactions_sync

LEDGER_FIELDS = (
    "stripe_id",
    "reporting_category",
    "source_id",
    "amount",
    "fee",
    "net",
    "currency",
    "charge_id",
    "customer_id",
    "customer_facing_amount",
    "customer_facing_currency",
    "card_brand",
    "dispute_reason",
    "booked_on",
)


def _ledger() -> list[tuple]:
    return list(BalanceTransaction.objects.order_by("stripe_id").values_list(*LEDGER_FIELDS))


def _sync_around_now(site) -> int:
    now = datetime.fromtimestamp(site.sandbox.control("GET", "/_sandbox/clock")["now"], tz=UTC)
    return balance_transactions_sync(
        created_from=now - timedelta(days=2), created_to=now + timedelta(days=2)
    )


def test_a_refund_is_in_the_ledger_when_its_webhook_arrives_and_the_sync_adds_nothing(
    site, stripe_api
):
    site.give(amount="20", frequency="once", currency="usd", email="dollar@example.org")
    payment = Payment.objects.get()
    charge_row = BalanceTransaction.objects.get(source_id=payment.stripe_charge_id)

    refund = stripe_api.v1.refunds.create({"charge": payment.stripe_charge_id, "amount": 733})
    site.settle()

    row = BalanceTransaction.objects.get(source_id=refund.id)
    assert row.reporting_category == "refund"
    assert row.stripe_id == refund.balance_transaction
    assert row.currency == "eur"  # settled in the account's currency, as Stripe books it
    assert row.amount < 0
    assert (row.customer_facing_amount, row.customer_facing_currency) == (-733, "usd")
    assert (row.charge_id, row.card_brand) == (payment.stripe_charge_id, charge_row.card_brand)
    before = _ledger()

    assert _sync_around_now(site) == 0
    assert _ledger() == before


def test_a_lost_and_a_won_dispute_are_in_the_ledger_from_their_webhooks(site):
    site.give(amount="50", frequency="once", currency="eur", email="lost@example.org")
    site.give(amount="40", frequency="once", currency="eur", email="won@example.org")
    for email, outcome in (("lost@example.org", "lost"), ("won@example.org", "won")):
        charge_id = Payment.objects.get(supporter__email=email).stripe_charge_id
        site.sandbox.control("POST", f"/_sandbox/charges/{charge_id}/dispute", {"outcome": outcome})
    site.settle()

    lost = Payment.objects.get(supporter__email="lost@example.org")
    won = Payment.objects.get(supporter__email="won@example.org")
    lost_rows = BalanceTransaction.objects.filter(source_id=lost.stripe_dispute_id)
    won_rows = BalanceTransaction.objects.filter(source_id=won.stripe_dispute_id)
    assert sorted(lost_rows.values_list("reporting_category", flat=True)) == ["dispute"]
    assert sorted(won_rows.values_list("reporting_category", flat=True)) == [
        "dispute",
        "dispute_reversal",
    ]
    withdrawal = lost_rows.get()
    assert withdrawal.net == -(5000 + withdrawal.fee)
    assert withdrawal.dispute_reason
    assert (withdrawal.charge_id, withdrawal.card_brand) == (lost.stripe_charge_id, "visa")
    assert sum(won_rows.values_list("amount", flat=True)) == 0
    before = _ledger()

    assert _sync_around_now(site) == 0
    assert _ledger() == before
