"""What supporters paid and what the newsroom received, tied out to Stripe's payouts.

The sandbox account settles in euros; gifts in dollars and pounds are converted at its fixed
rates (USD 0.92, GBP 1.17), refunds at their charge's rate, all over HTTP.
"""

from decimal import Decimal

import pytest

from subscriptions.models import BalanceTransaction, Payment, Payout, StripeEvent
from subscriptions.tasks import payouts_reconcile_pending
from tests.stripe_sandbox.helpers import one_time_session, pay


def _reconcile_after_an_hour(site) -> None:
    site.sandbox.control("POST", "/_sandbox/clock/advance", {"seconds": 3600})
    site.settle()


def test_usd_and_gbp_gifts_refunded_in_part_tie_out_to_the_eur_payout(site, stripe_api):
    site.give(amount="25", frequency="once", currency="usd", email="dollar@example.org")
    site.give(amount="20", frequency="once", currency="gbp", email="pound@example.org")
    usd = Payment.objects.get(currency="usd")
    gbp = Payment.objects.get(currency="gbp")
    stripe_api.v1.refunds.create({"charge": usd.stripe_charge_id, "amount": 733})
    stripe_api.v1.refunds.create({"charge": gbp.stripe_charge_id, "amount": 499})
    site.settle()
    site.advance(days=3)

    site.sandbox.control("POST", "/_sandbox/payouts")
    site.settle()
    _reconcile_after_an_hour(site)

    usd.refresh_from_db()
    gbp.refresh_from_db()
    # What each supporter paid, and was refunded, in their own currency ...
    assert (usd.amount, usd.currency, usd.amount_refunded) == (2500, "usd", 733)
    assert (gbp.amount, gbp.currency, gbp.amount_refunded) == (2000, "gbp", 499)
    # ... and what the newsroom received, in euros: gross at the rate, fee on that gross.
    assert (usd.settlement_currency, usd.exchange_rate) == ("eur", Decimal("0.92"))
    assert (usd.settled_amount, usd.fee, usd.net) == (2300, 60, 2240)
    assert (gbp.settlement_currency, gbp.exchange_rate) == ("eur", Decimal("1.17"))
    assert (gbp.settled_amount, gbp.fee, gbp.net) == (2340, 60, 2280)
    refunds = BalanceTransaction.objects.filter(reporting_category="refund")
    # USD 7.33 x 0.92 = 6.7436 -> 6.74; GBP 4.99 x 1.17 = 5.8383 -> 5.84.
    assert sorted(r.amount for r in refunds) == [-674, -584]
    assert {(r.currency, r.exchange_rate) for r in refunds} == {
        ("eur", Decimal("0.92")),
        ("eur", Decimal("1.17")),
    }
    payout = Payout.objects.get()
    assert (payout.currency, payout.reconciliation_status) == ("eur", "completed")
    settled_nets = usd.net + gbp.net
    refunded = sum(-r.amount for r in refunds)
    assert settled_nets - refunded == payout.amount == 2240 + 2280 - 674 - 584
    assert set(payout.transactions.values_list("stripe_id", flat=True)) == {
        usd.stripe_balance_transaction_id,
        gbp.stripe_balance_transaction_id,
        *refunds.values_list("stripe_id", flat=True),
    }


def test_a_payout_is_linked_only_when_stripe_has_reconciled_it(site):
    site.give(amount="12", frequency="once")
    site.advance(days=3)
    site.sandbox.control("POST", "/_sandbox/payouts")
    site.settle()

    payout = Payout.objects.get()
    assert (payout.status, payout.automatic) == ("paid", True)
    assert (payout.reconciliation_status, payout.reconciled_at) == ("in_progress", None)
    assert not payout.transactions.exists()

    site.sandbox.control("POST", f"/_sandbox/payouts/{payout.stripe_payout_id}/reconcile")
    site.settle()

    payout.refresh_from_db()
    assert payout.reconciliation_status == "completed"
    assert payout.reconciled_at is not None
    assert list(payout.transactions.values_list("stripe_id", flat=True)) == [
        Payment.objects.get().stripe_balance_transaction_id
    ]


@pytest.mark.django_db
def test_the_daily_recheck_links_a_payout_whose_reconciliation_event_never_came(
    stripe_settings, stripe_api
):
    """No webhook endpoint here: our records hear of the payout only by asking Stripe."""
    pay(one_time_session(stripe_api, amount=4000))
    stripe_settings.control("POST", "/_sandbox/clock/advance", {"days": 3})
    (paid,) = stripe_settings.control("POST", "/_sandbox/payouts")["data"]
    Payout.objects.create(
        stripe_payout_id=paid["id"],
        amount=paid["amount"],
        currency=paid["currency"],
        status="paid",
        arrival_date="2026-01-01T00:00:00Z",
    )
    assert payouts_reconcile_pending() == 0  # Stripe is still reconciling it

    stripe_settings.control("POST", "/_sandbox/clock/advance", {"seconds": 3600})

    assert payouts_reconcile_pending() == 1
    payout = Payout.objects.get()
    assert payout.reconciliation_status == "completed"
    swept = payout.transactions.get()
    assert (swept.amount, swept.net) == (3680, paid["amount"])  # USD 40.00 at 0.92, less fee
    assert payouts_reconcile_pending() == 0


def test_a_manual_payout_is_recorded_as_not_itemizable_and_never_retried(site, stripe_api):
    site.give(amount="30", frequency="once")
    site.advance(days=3)

    created = stripe_api.v1.payouts.create({"amount": 1500, "currency": "eur"})
    site.advance(days=1)  # it arrives at the bank

    payout = Payout.objects.get()
    assert (payout.stripe_payout_id, payout.amount, payout.status) == (created.id, 1500, "paid")
    assert (payout.automatic, payout.reconciliation_status) == (False, "not_applicable")
    assert not payout.transactions.exists()
    event = StripeEvent.objects.get(type="payout.paid")
    assert (event.attempts, event.last_error) == (1, "")
    assert event.processed_at is not None
    assert payouts_reconcile_pending() == 0


def test_a_canceled_payout_is_recorded(site, stripe_api):
    site.give(amount="30", frequency="once")
    site.advance(days=3)
    created = stripe_api.v1.payouts.create({"amount": 1500, "currency": "eur"})

    stripe_api.v1.payouts.cancel(created.id)
    site.settle()

    payout = Payout.objects.get()
    assert (payout.status, payout.automatic) == ("canceled", False)


def test_a_failed_payout_is_recorded_with_the_banks_reason(site):
    site.give(amount="30", frequency="once")
    site.advance(days=3)
    (paid,) = site.sandbox.control("POST", "/_sandbox/payouts")["data"]
    site.settle()

    site.sandbox.control(
        "POST", f"/_sandbox/payouts/{paid['id']}/fail", {"failure_code": "no_account"}
    )
    site.settle()

    payout = Payout.objects.get()
    assert (payout.status, payout.failure_code) == ("failed", "no_account")
    assert payout.failure_message == "The bank account details on file are probably incorrect."
    assert payouts_reconcile_pending() == 0  # a failed payout is not waited for
