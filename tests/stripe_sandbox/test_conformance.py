"""Every object the sandbox returns carries exactly the fields stripe-python declares."""

import typing
from typing import Any

import stripe
from stripe._object_classes import OBJECT_CLASSES, get_object_class

from stripe_sandbox.shapes.generate import field_annotations, is_optional
from tests.stripe_sandbox.helpers import (
    api,
    one_time_session,
    pay,
    subscribe,
)

LISTS = [
    "/v1/customers",
    "/v1/products",
    "/v1/prices",
    "/v1/checkout/sessions?expand[]=data.line_items",
    "/v1/subscriptions?status=all&expand[]=data.latest_invoice.payments",
    "/v1/invoices?expand[]=data.payments",
    "/v1/invoice_payments",
    "/v1/payment_intents",
    "/v1/charges",
    "/v1/payment_methods",
    "/v1/refunds",
    "/v1/disputes",
    "/v1/balance_transactions?limit=100",
    "/v1/payouts",
    "/v1/events?limit=100",
    "/v1/webhook_endpoints",
]


def stripe_objects(value: Any) -> typing.Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        if isinstance(value.get("object"), str):
            yield value
        for child in value.values():
            yield from stripe_objects(child)
    elif isinstance(value, list):
        for child in value:
            yield from stripe_objects(child)


def shape_problems(obj: dict[str, Any]) -> list[str]:
    name = obj["object"]
    if name == "list":
        return [] if set(obj) == {"object", "data", "has_more", "url"} else [f"list keys {obj}"]
    if name not in OBJECT_CLASSES:
        return [f"unknown object type {name!r}"]
    fields = field_annotations(get_object_class("V1", name))
    problems = []
    extra = set(obj) - set(fields)
    if extra and not (obj.get("deleted") is True and extra <= {"deleted"}):
        problems.append(f"{name} {obj.get('id')}: undeclared fields {sorted(extra)}")
    required = {field for field, annotation in fields.items() if not is_optional(annotation)}
    missing = required - set(obj)
    if missing:
        problems.append(f"{name} {obj.get('id')}: missing required fields {sorted(missing)}")
    return problems


def realistic_flow(stripe_client: stripe.StripeClient, sandbox: Any) -> list[Any]:
    """Drive checkouts, changes, renewals, failures and money movements; return raw answers."""
    monthly = subscribe(stripe_client)
    failing = subscribe(stripe_client, number="4000000000000341")
    once = one_time_session(stripe_client)
    assert pay(once).status == 303
    declined = one_time_session(stripe_client)
    assert pay(declined, "4000000000000002").status == 402
    stripe_client.v1.checkout.sessions.expire(one_time_session(stripe_client).id)
    subscription = monthly.subscription
    stripe_client.v1.subscriptions.update(
        subscription.id,
        params={
            "items": [
                {
                    "id": subscription["items"].data[0].id,
                    "price_data": {
                        "currency": "eur",
                        "unit_amount": 700,
                        "recurring": {"interval": "month"},
                        "product": subscription["items"].data[0].price.product,
                    },
                }
            ],
            "proration_behavior": "none",
        },
    )
    stripe_client.v1.subscriptions.update(subscription.id, params={"cancel_at_period_end": True})
    stripe_client.v1.subscriptions.update(subscription.id, params={"cancel_at_period_end": False})
    sandbox.control("POST", "/_sandbox/clock/advance", {"days": 45})
    charge_id = stripe_client.v1.payment_intents.retrieve(
        stripe_client.v1.checkout.sessions.retrieve(once.id).payment_intent
    ).latest_charge
    stripe_client.v1.refunds.create(params={"charge": charge_id, "amount": 300})
    first_payment = monthly.subscription.latest_invoice.payments.data[0]
    monthly_charge = stripe_client.v1.payment_intents.retrieve(
        first_payment.payment.payment_intent
    ).latest_charge
    dispute = sandbox.control("POST", f"/_sandbox/charges/{monthly_charge}/dispute")
    sandbox.control("POST", f"/_sandbox/disputes/{dispute['id']}/close", {"outcome": "won"})
    sandbox.control("POST", "/_sandbox/payouts")
    portal = api(
        sandbox,
        "POST",
        "/v1/billing_portal/sessions",
        {"customer": monthly.customer, "return_url": "http://127.0.0.1:8000/"},
    )
    # 45 days: the 0341 subscription failed its renewal and every retry, so it is canceled.
    assert stripe_client.v1.subscriptions.retrieve(failing.subscription.id).status == "canceled"
    return [portal.json(), dispute]


def test_every_returned_object_matches_stripe_python(stripe_client, sandbox):
    answers = realistic_flow(stripe_client, sandbox)
    seen: dict[str, int] = {}
    problems: list[str] = []
    for obj in stripe_objects(answers):
        seen[obj["object"]] = seen.get(obj["object"], 0) + 1
        problems.extend(shape_problems(obj))
    for path in LISTS:
        answer = api(sandbox, "GET", path)
        assert answer.status == 200, (path, answer.body)
        for obj in stripe_objects(answer.json()):
            seen[obj["object"]] = seen.get(obj["object"], 0) + 1
            problems.extend(shape_problems(obj))
    assert problems == []
    expected_types = {
        "balance_transaction", "charge", "checkout.session", "customer", "dispute", "event",
        "invoice", "invoice_payment", "item", "line_item", "payment_intent", "payment_method",
        "payout", "plan", "price", "product", "refund", "subscription", "subscription_item",
        "billing_portal.session",
    }  # fmt: skip
    assert expected_types <= set(seen)


def test_events_cover_the_whole_lifecycle(stripe_client, sandbox):
    realistic_flow(stripe_client, sandbox)
    events = api(sandbox, "GET", "/v1/events?limit=100").json()
    types = {event["type"] for event in events["data"]}
    while events["has_more"]:
        last = events["data"][-1]["id"]
        events = api(sandbox, "GET", f"/v1/events?limit=100&starting_after={last}").json()
        types |= {event["type"] for event in events["data"]}
    assert {
        "checkout.session.completed", "checkout.session.expired", "customer.created",
        "payment_method.attached", "customer.subscription.created",
        "customer.subscription.updated", "customer.subscription.deleted", "invoice.created",
        "invoice.finalized", "invoice.paid", "invoice.payment_succeeded",
        "invoice.payment_failed", "invoice.upcoming", "invoice_payment.paid",
        "payment_intent.created", "payment_intent.succeeded", "payment_intent.payment_failed",
        "charge.succeeded", "charge.failed", "charge.refunded", "refund.created",
        "charge.dispute.created", "charge.dispute.closed", "payout.created", "payout.paid",
    } <= types  # fmt: skip


def test_sdk_parses_every_call_it_makes(sdk_globals, sandbox):
    session = stripe.checkout.Session.create(
        mode="subscription",
        success_url="http://127.0.0.1:8000/thanks/{CHECKOUT_SESSION_ID}",
        line_items=[
            {
                "quantity": 1,
                "price_data": {
                    "currency": "gbp",
                    "unit_amount": 300,
                    "recurring": {"interval": "year"},
                    "product_data": {"name": "Yearly support"},
                },
            }
        ],
        idempotency_key="contribution-77",
    )
    assert isinstance(session, stripe.checkout.Session)
    assert pay(session).status == 303
    session = stripe.checkout.Session.retrieve(session.id, expand=["subscription", "line_items"])
    assert isinstance(session.subscription, stripe.Subscription)
    assert session.line_items.data[0].price.recurring.interval == "year"
    item = session.subscription["items"].data[0]
    assert isinstance(item, stripe.SubscriptionItem)
    assert item.current_period_end > item.current_period_start
    updated = stripe.Subscription.modify(session.subscription.id, metadata={"note": "x"})
    assert updated.metadata["note"] == "x"
    invoice = stripe.Invoice.retrieve(updated.latest_invoice, expand=["payments"])
    assert isinstance(invoice.payments.data[0], stripe.InvoicePayment)
    intent = stripe.PaymentIntent.retrieve(
        invoice.payments.data[0].payment.payment_intent, expand=["latest_charge"]
    )
    charge = intent.latest_charge
    assert isinstance(charge, stripe.Charge)
    refund = stripe.Refund.create(charge=charge.id, amount=100)
    assert isinstance(refund, stripe.Refund)
    assert stripe.Charge.retrieve(charge.id).amount_refunded == 100
    sandbox.control("POST", "/_sandbox/clock/advance", {"days": 3})
    payout = sandbox.control("POST", "/_sandbox/payouts")["data"][0]
    sandbox.control("POST", f"/_sandbox/payouts/{payout['id']}/reconcile")
    assert stripe.Payout.retrieve(payout["id"]).reconciliation_status == "completed"
    swept = stripe.BalanceTransaction.list(payout=payout["id"], limit=100)
    assert all(isinstance(t, stripe.BalanceTransaction) for t in swept.data)
    assert sum(t.net for t in swept.data if t.type != "payout") == payout["amount"]
    portal = stripe.billing_portal.Session.create(customer=session.customer)
    assert portal.url.endswith(portal.id)
    events = stripe.Event.list(type="invoice.paid")
    assert isinstance(events.data[0].data.object, stripe.Invoice)
    canceled = stripe.Subscription.cancel(session.subscription.id)
    assert canceled.status == "canceled"
