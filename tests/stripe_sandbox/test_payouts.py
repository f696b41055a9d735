"""Settlement in the account's currency, and payouts as Stripe makes them."""

import pytest
import stripe

from tests.sandbox_process import SandboxProcess
from tests.stripe_sandbox.helpers import API_KEY, one_time_session, pay


def advance(sandbox, **amount):
    return sandbox.control("POST", "/_sandbox/clock/advance", amount)


def charge_of(stripe_client, session):
    intent = stripe_client.v1.checkout.sessions.retrieve(session.id).payment_intent
    return stripe_client.v1.charges.list(params={"payment_intent": intent}).data[0]


def test_a_charge_in_another_currency_settles_in_the_accounts_at_a_fixed_rate(stripe_client):
    session = one_time_session(stripe_client, amount=1999)  # USD 19.99
    pay(session)
    charge = charge_of(stripe_client, session)
    transaction = stripe_client.v1.balance_transactions.retrieve(charge.balance_transaction)

    assert (charge.amount, charge.currency) == (1999, "usd")
    # 19.99 x 0.92 = 18.3908, half up 18.39; fee 1.5% of that + 0.25 = 0.525862, half up 0.53.
    assert (transaction.currency, transaction.exchange_rate) == ("eur", 0.92)
    assert (transaction.amount, transaction.fee, transaction.net) == (1839, 53, 1786)
    assert transaction.fee_details[0].currency == "eur"


def test_the_settlement_currency_is_the_sandboxs_option():
    with SandboxProcess(settlement_currency="gbp") as sandbox:
        client = stripe.StripeClient(
            API_KEY, base_addresses={"api": sandbox.url}, max_network_retries=0
        )
        session = one_time_session(client, amount=1000)  # USD 10.00
        pay(session)
        charge = charge_of(client, session)
        transaction = client.v1.balance_transactions.retrieve(charge.balance_transaction)

    # 0.92 / 1.17 = 0.786325 pounds to the dollar.
    assert (transaction.currency, transaction.exchange_rate) == ("gbp", 0.786325)
    assert transaction.amount == 786


def test_an_unknown_settlement_currency_is_refused_at_start():
    with pytest.raises(RuntimeError, match="no exchange rates for 'xyz'"):
        SandboxProcess(settlement_currency="xyz").start()


def paid_payout(stripe_client, sandbox, amount=3000):
    pay(one_time_session(stripe_client, amount=amount))
    advance(sandbox, days=3)
    (payout,) = sandbox.control("POST", "/_sandbox/payouts")["data"]
    return payout


def test_a_payout_is_reconciled_an_hour_after_it_is_paid_or_when_forced(stripe_client, sandbox):
    first = paid_payout(stripe_client, sandbox)
    assert (first["status"], first["automatic"]) == ("paid", True)
    assert first["reconciliation_status"] == "in_progress"

    # The sandbox's clock also moves with the wall's: a minute short of the hour, not a second.
    advance(sandbox, seconds=3540)
    assert stripe_client.v1.payouts.retrieve(first["id"]).reconciliation_status == "in_progress"
    advance(sandbox, seconds=60)
    assert stripe_client.v1.payouts.retrieve(first["id"]).reconciliation_status == "completed"

    second = paid_payout(stripe_client, sandbox, amount=500)
    forced = sandbox.control("POST", f"/_sandbox/payouts/{second['id']}/reconcile")
    assert forced["reconciliation_status"] == "completed"
    completed = stripe_client.v1.events.list(
        params={"type": "payout.reconciliation_completed"}
    ).data
    assert [event.data.object.id for event in completed] == [second["id"], first["id"]]


def test_a_manual_payout_cannot_be_itemized_as_at_stripe(stripe_client, sandbox):
    pay(one_time_session(stripe_client, amount=3000))
    advance(sandbox, days=3)

    payout = stripe_client.v1.payouts.create(params={"amount": 1000, "currency": "eur"})

    assert (payout.automatic, payout.status) == (False, "pending")
    assert payout.reconciliation_status == "not_applicable"
    with pytest.raises(stripe.InvalidRequestError) as refused:
        stripe_client.v1.balance_transactions.list(params={"payout": payout.id})
    assert refused.value.user_message == (
        "Balance transaction history can only be filtered on automatic transfers, not manual."
    )
    assert refused.value.param == "payout"
    advance(sandbox, days=1)
    assert stripe_client.v1.payouts.retrieve(payout.id).status == "paid"
    # The next automatic payout pays out what is left: the manual one's amount is netted.
    (automatic,) = sandbox.control("POST", "/_sandbox/payouts")["data"]
    assert automatic["amount"] == 2760 - 66 - 1000  # USD 30.00 at 0.92, less its fee


def test_a_manual_payout_needs_the_money_and_the_settlement_currency(stripe_client, sandbox):
    with pytest.raises(stripe.InvalidRequestError) as refused:
        stripe_client.v1.payouts.create(params={"amount": 1000, "currency": "eur"})
    assert refused.value.code == "balance_insufficient"
    with pytest.raises(stripe.InvalidRequestError) as refused:
        stripe_client.v1.payouts.create(params={"amount": 1000, "currency": "usd"})
    assert refused.value.param == "currency"


def test_a_pending_payout_can_be_canceled_and_its_money_comes_back(stripe_client, sandbox):
    pay(one_time_session(stripe_client, amount=3000))
    advance(sandbox, days=3)
    payout = stripe_client.v1.payouts.create(params={"amount": 1000, "currency": "eur"})

    canceled = stripe_client.v1.payouts.cancel(payout.id)

    assert canceled.status == "canceled"
    reversal = stripe_client.v1.balance_transactions.list(params={"type": "payout_cancel"}).data
    assert [(t.amount, t.reporting_category) for t in reversal] == [(1000, "payout_reversal")]
    with pytest.raises(stripe.InvalidRequestError):
        stripe_client.v1.payouts.cancel(payout.id)
    (automatic,) = sandbox.control("POST", "/_sandbox/payouts")["data"]
    assert automatic["amount"] == 2760 - 66
    canceled_events = stripe_client.v1.events.list(params={"type": "payout.canceled"}).data
    assert [event.data.object.id for event in canceled_events] == [payout.id]


def test_a_payout_can_fail_with_stripes_code_and_message(stripe_client, sandbox):
    payout = paid_payout(stripe_client, sandbox)

    failed = sandbox.control(
        "POST", f"/_sandbox/payouts/{payout['id']}/fail", {"failure_code": "account_closed"}
    )

    assert (failed["status"], failed["failure_code"]) == ("failed", "account_closed")
    assert failed["failure_message"] == "The bank account has been closed."
    back = stripe_client.v1.balance_transactions.retrieve(failed["failure_balance_transaction"])
    assert (back.type, back.amount) == ("payout_failure", payout["amount"])
    assert stripe_client.v1.events.list(params={"type": "payout.failed"}).data
