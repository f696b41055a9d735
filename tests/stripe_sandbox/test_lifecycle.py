"""The clock, renewals, failed payments, refunds, disputes and payouts."""

import pytest
import stripe

from tests.stripe_sandbox.helpers import (
    api,
    http,
    monthly_session,
    one_time_session,
    pay,
    subscribe,
)


def advance(sandbox, days):
    return sandbox.control("POST", "/_sandbox/clock/advance", {"days": days})


def test_clock_moves_forward(sandbox):
    before = sandbox.control("GET", "/_sandbox/clock")["now"]
    after = advance(sandbox, 2)["now"]
    assert after - before >= 2 * 86400


def test_open_checkout_sessions_expire_after_a_day(stripe_client, sandbox):
    session = monthly_session(stripe_client)
    advance(sandbox, 1.5)
    assert stripe_client.v1.checkout.sessions.retrieve(session.id).status == "expired"
    expired = stripe_client.v1.events.list(params={"type": "checkout.session.expired"}).data
    assert [event.data.object.id for event in expired] == [session.id]


def test_renewal_charges_again_and_advances_the_period(stripe_client, sandbox):
    session = subscribe(stripe_client)
    item = session.subscription["items"].data[0]
    advance(sandbox, 31)
    subscription = stripe_client.v1.subscriptions.retrieve(session.subscription.id)
    renewed = subscription["items"].data[0]
    assert renewed.current_period_start == item.current_period_end
    assert renewed.current_period_end > renewed.current_period_start
    invoice = stripe_client.v1.invoices.retrieve(
        subscription.latest_invoice, params={"expand": ["payments"]}
    )
    assert (invoice.billing_reason, invoice.status, invoice.amount_paid) == (
        "subscription_cycle",
        "paid",
        500,
    )
    assert invoice.payments.data[0].status == "paid"
    upcoming = stripe_client.v1.events.list(params={"type": "invoice.upcoming"}).data
    assert len(upcoming) == 1
    assert upcoming[0].created == item.current_period_end - 7 * 86400


def test_card_0341_goes_past_due_then_canceled_after_retries(stripe_client, sandbox):
    session = subscribe(stripe_client, number="4000000000000341")
    subscription_id = session.subscription.id
    period_end = session.subscription["items"].data[0].current_period_end
    clock = sandbox.control("GET", "/_sandbox/clock")["now"]
    advance(sandbox, (period_end - clock) / 86400 + 0.5)
    subscription = stripe_client.v1.subscriptions.retrieve(subscription_id)
    assert subscription.status == "past_due"
    invoice = stripe_client.v1.invoices.retrieve(subscription.latest_invoice)
    assert (invoice.status, invoice.attempt_count) == ("open", 1)
    assert invoice.next_payment_attempt == period_end + 3 * 86400
    failed = stripe_client.v1.events.list(params={"type": "invoice.payment_failed"}).data
    assert len(failed) == 1
    advance(sandbox, 14)
    subscription = stripe_client.v1.subscriptions.retrieve(subscription_id)
    assert subscription.status == "past_due"
    advance(sandbox, 1)
    subscription = stripe_client.v1.subscriptions.retrieve(subscription_id)
    assert subscription.status == "canceled"
    assert subscription.cancellation_details.reason == "payment_failed"
    assert stripe_client.v1.invoices.retrieve(invoice.id).attempt_count == 4
    assert len(stripe_client.v1.events.list(params={"type": "invoice.payment_failed"}).data) == 4
    deleted = stripe_client.v1.events.list(params={"type": "customer.subscription.deleted"}).data
    assert [e.data.object.id for e in deleted] == [subscription_id]


def test_successful_retry_returns_subscription_to_active(stripe_client, sandbox):
    session = subscribe(stripe_client, number="4000000000000341")
    subscription_id = session.subscription.id
    advance(sandbox, 31)
    assert stripe_client.v1.subscriptions.retrieve(subscription_id).status == "past_due"
    portal = stripe_client.v1.billing_portal.sessions.create(params={"customer": session.customer})
    http("POST", portal.url, form={"card_number": "4242424242424242", "exp_month": "1",
                                   "exp_year": "2031"})  # fmt: skip
    advance(sandbox, 3)
    subscription = stripe_client.v1.subscriptions.retrieve(subscription_id)
    assert subscription.status == "active"
    assert stripe_client.v1.invoices.retrieve(subscription.latest_invoice).status == "paid"


def test_cancel_at_period_end_then_resume_then_end(stripe_client, sandbox):
    session = subscribe(stripe_client)
    subscription_id = session.subscription.id
    update = stripe_client.v1.subscriptions.update
    scheduled = update(subscription_id, params={"cancel_at_period_end": True})
    assert scheduled.cancel_at == scheduled["items"].data[0].current_period_end
    resumed = update(subscription_id, params={"cancel_at_period_end": False})
    assert (resumed.cancel_at, resumed.cancel_at_period_end) == (None, False)
    update(subscription_id, params={"cancel_at_period_end": True})
    advance(sandbox, 32)
    subscription = stripe_client.v1.subscriptions.retrieve(subscription_id)
    assert subscription.status == "canceled"
    assert len(stripe_client.v1.invoices.list(params={"subscription": subscription_id}).data) == 1
    assert stripe_client.v1.subscriptions.list().data == []
    assert len(stripe_client.v1.subscriptions.list(params={"status": "all"}).data) == 1


def test_cancel_now(stripe_client):
    session = subscribe(stripe_client)
    canceled = stripe_client.v1.subscriptions.cancel(session.subscription.id)
    assert canceled.status == "canceled"
    assert canceled.ended_at is not None


def test_partial_then_full_refund(stripe_client):
    session = one_time_session(stripe_client, amount=1000)
    pay(session)
    intent = stripe_client.v1.checkout.sessions.retrieve(session.id).payment_intent
    refund = stripe_client.v1.refunds.create(params={"payment_intent": intent, "amount": 400})
    transaction = stripe_client.v1.balance_transactions.retrieve(refund.balance_transaction)
    assert (transaction.type, transaction.reporting_category) == ("refund", "refund")
    # A USD charge to the EUR account: the refund is converted at the charge's rate, 0.92.
    assert (transaction.amount, transaction.fee, transaction.net) == (-368, 0, -368)
    assert (transaction.currency, transaction.exchange_rate) == ("eur", 0.92)
    charge = stripe_client.v1.charges.retrieve(refund.charge)
    assert (charge.amount_refunded, charge.refunded) == (400, False)
    stripe_client.v1.refunds.create(params={"charge": charge.id})
    charge = stripe_client.v1.charges.retrieve(charge.id)
    assert (charge.amount_refunded, charge.refunded) == (1000, True)
    assert len(stripe_client.v1.refunds.list().data) == 2
    refunded_events = stripe_client.v1.events.list(params={"type": "charge.refunded"}).data
    assert refunded_events[0].data.previous_attributes["amount_refunded"] == 400


def test_dispute_lost_and_won(stripe_client, sandbox):
    charges = []
    for _ in range(2):
        session = one_time_session(stripe_client, amount=2000)
        pay(session)
        charges.append(stripe_client.v1.charges.list(params={"limit": 1}).data[0])
    dispute = sandbox.control("POST", f"/_sandbox/charges/{charges[0].id}/dispute")
    assert (dispute["status"], dispute["reason"]) == ("needs_response", "fraudulent")
    transaction = dispute["balance_transactions"][0]
    # USD 20.00 at 0.92 is EUR 18.40; the dispute fee is EUR 15.00.
    assert (transaction["amount"], transaction["fee"], transaction["net"]) == (-1840, 1500, -3340)
    assert (transaction["currency"], transaction["exchange_rate"]) == ("eur", 0.92)
    assert transaction["reporting_category"] == "dispute"
    lost = sandbox.control("POST", f"/_sandbox/disputes/{dispute['id']}/close", {"outcome": "lost"})
    assert lost["status"] == "lost"
    assert len(lost["balance_transactions"]) == 1
    won = sandbox.control("POST", f"/_sandbox/charges/{charges[1].id}/dispute", {"outcome": "won"})
    reversal = won["balance_transactions"][1]
    assert (reversal["reporting_category"], reversal["net"]) == ("dispute_reversal", 1840)
    assert stripe_client.v1.disputes.retrieve(won["id"]).status == "won"
    closed = stripe_client.v1.events.list(params={"type": "charge.dispute.closed"}).data
    assert len(closed) == 2
    again = api(sandbox, "POST", "/_sandbox/charges/" + charges[0].id + "/dispute")
    assert again.status == 400


def test_payout_sweeps_available_balance_exactly(stripe_client, sandbox):
    for amount in (500, 777, 1999):
        subscribe(stripe_client, amount=amount)
    session = one_time_session(stripe_client, amount=3000)
    pay(session)
    intent_id = stripe_client.v1.checkout.sessions.retrieve(session.id).payment_intent
    stripe_client.v1.refunds.create(params={"payment_intent": intent_id, "amount": 1000})
    assert sandbox.control("POST", "/_sandbox/payouts")["data"] == []  # nothing available yet
    advance(sandbox, 2)
    payouts = sandbox.control("POST", "/_sandbox/payouts")["data"]
    # Everything settles in the account's currency: one payout, in euros.
    assert [(p["currency"], p["reconciliation_status"]) for p in payouts] == [
        ("eur", "in_progress")
    ]
    payout = payouts[0]
    listed = stripe_client.v1.balance_transactions.list(params={"payout": payout["id"]})
    assert listed.data == []  # incomplete until Stripe has reconciled the payout
    sandbox.control("POST", "/_sandbox/clock/advance", {"seconds": 3600})  # an hour later
    assert stripe_client.v1.payouts.retrieve(payout["id"]).reconciliation_status == "completed"
    swept = stripe_client.v1.balance_transactions.list(
        params={"payout": payout["id"], "limit": 100}
    )
    own = [t for t in swept.data if t.type == "payout"]
    others = [t for t in swept.data if t.type != "payout"]
    assert sum(t.net for t in others) == payout["amount"]
    assert [t.amount for t in own] == [-payout["amount"]]
    fees = [33, 37, 55, 66]  # 1.5% + 0.25, half up: 32.5, 36.655, 54.985, and 66.4 on 27.60
    usd_settled = 2760 - 920  # USD 30.00 and the USD 10.00 refund, each at 0.92
    assert payout["amount"] == 500 + 777 + 1999 + usd_settled - sum(fees)
    assert sandbox.control("POST", "/_sandbox/payouts")["data"] == []
    events = [e.type for e in stripe_client.v1.events.list(params={"limit": 10}).data]
    assert {"payout.created", "payout.paid", "payout.reconciliation_completed"} <= set(events)


def test_reset_wipes_everything(stripe_client, sandbox):
    subscribe(stripe_client)
    advance(sandbox, 3)
    sandbox.control("POST", "/_sandbox/reset")
    assert stripe_client.v1.customers.list().data == []
    assert stripe_client.v1.events.list().data == []
    assert sandbox.control("GET", "/_sandbox/clock")["offset_seconds"] == 0


def test_deleting_a_customer_ends_their_subscription_and_leaves_a_tombstone(stripe_client):
    session = subscribe(stripe_client)
    customer_id = session.customer
    subscription_id = session.subscription.id

    deleted = stripe_client.v1.customers.delete(customer_id)

    assert (deleted.id, deleted.deleted) == (customer_id, True)
    assert stripe_client.v1.subscriptions.retrieve(subscription_id).status == "canceled"
    tombstone = stripe_client.v1.customers.retrieve(customer_id).to_dict()
    assert tombstone == {"id": customer_id, "object": "customer", "deleted": True}
    kinds = [event.type for event in stripe_client.v1.events.list({"limit": 5}).data]
    assert kinds[:2] == ["customer.deleted", "customer.subscription.deleted"]
    with pytest.raises(stripe.InvalidRequestError, match="No such customer"):
        stripe_client.v1.customers.delete(customer_id)
