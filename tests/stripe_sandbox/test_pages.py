"""The hosted checkout and billing-portal pages a reader sees."""

from tests.stripe_sandbox.helpers import (
    CANCEL_URL,
    card_form,
    http,
    monthly_session,
    one_time_session,
    pay,
    subscribe,
)


def test_checkout_page_shows_amount_interval_and_test_cards(stripe_client):
    session = monthly_session(stripe_client, amount=750)
    page = http("GET", session.url)
    assert page.status == 200
    assert "EUR 7.50" in page.body
    assert "every month" in page.body
    assert "SANDBOX — no real money moves" in page.body
    assert "4242 4242 4242 4242" in page.body
    assert '<label for="card_number">' in page.body


def test_paying_with_4242_redirects_to_success_url_and_creates_everything(stripe_client):
    session = monthly_session(stripe_client)
    answer = pay(session)
    assert answer.status == 303
    assert answer.headers["Location"] == (
        f"http://127.0.0.1:8000/support/thanks/?session={session.id}"
    )
    done = stripe_client.v1.checkout.sessions.retrieve(
        session.id, params={"expand": ["subscription.default_payment_method"]}
    )
    assert (done.status, done.payment_status) == ("complete", "paid")
    subscription = done.subscription
    assert subscription.status == "active"
    assert subscription.metadata["contribution_id"] == "1"
    assert subscription.default_payment_method.card.last4 == "4242"
    assert subscription.customer == done.customer
    customer = stripe_client.v1.customers.retrieve(done.customer)
    assert (customer.email, customer.name) == ("reader@example.org", "Ada Reader")
    invoice = stripe_client.v1.invoices.retrieve(subscription.latest_invoice)
    assert invoice.billing_reason == "subscription_create"
    assert invoice.parent.subscription_details.subscription == subscription.id
    assert (invoice.status, invoice.amount_paid) == ("paid", 500)
    assert http("GET", session.url).body.count("already complete") == 1


def test_declined_card_rerenders_with_message_and_creates_no_subscription(stripe_client):
    session = monthly_session(stripe_client)
    answer = pay(session, "4000 0000 0000 0002")
    assert answer.status == 402
    assert "Your card was declined." in answer.body
    assert stripe_client.v1.subscriptions.list().data == []
    assert stripe_client.v1.checkout.sessions.retrieve(session.id).status == "open"
    charge = stripe_client.v1.charges.list().data[0]
    assert (charge.status, charge.failure_code) == ("failed", "card_declined")
    intent = stripe_client.v1.payment_intents.retrieve(charge.payment_intent)
    assert intent.last_payment_error.decline_code == "generic_decline"
    assert "Your card has insufficient funds." in pay(session, "4000000000009995").body
    assert pay(session).status == 303  # a good card afterwards still completes it


def test_invalid_card_number_is_explained(stripe_client):
    session = monthly_session(stripe_client)
    answer = http("POST", session.url, form=card_form("4242 4242 4242 4241"))
    assert answer.status == 400
    assert "card number is incomplete or invalid" in answer.body


def test_cancel_redirects_to_cancel_url(stripe_client):
    session = monthly_session(stripe_client)
    answer = http("POST", session.url + "/cancel", form={})
    assert (answer.status, answer.headers["Location"]) == (303, CANCEL_URL)


def test_one_time_checkout_makes_a_payment_intent(stripe_client):
    session = one_time_session(stripe_client, amount=1234)
    assert pay(session).status == 303
    done = stripe_client.v1.checkout.sessions.retrieve(
        session.id, params={"expand": ["payment_intent.latest_charge.balance_transaction"]}
    )
    assert done.subscription is None
    intent = done.payment_intent
    assert intent.status == "succeeded"
    assert intent.metadata["contribution_id"] == "2"
    transaction = intent.latest_charge.balance_transaction
    # USD 12.34 to the EUR account: 12.34 x 0.92 = 11.3528 -> 11.35; fee 0.17025 + 0.25 -> 0.42.
    assert (transaction.amount, transaction.fee, transaction.net) == (1135, 42, 1093)
    assert (transaction.currency, transaction.exchange_rate) == ("eur", 0.92)
    assert transaction.fee_details[0].amount == 42
    assert transaction.available_on == transaction.created + 2 * 86400
    assert transaction.reporting_category == "charge"


def test_unknown_page_is_404(sandbox):
    assert http("GET", sandbox.url + "/checkout/cs_test_nope").status == 404


def test_billing_portal_replaces_the_card(stripe_client):
    session = subscribe(stripe_client)
    portal = stripe_client.v1.billing_portal.sessions.create(
        params={"customer": session.customer, "return_url": "http://127.0.0.1:8000/manage/"}
    )
    page = http("GET", portal.url)
    assert "ending in <strong>4242</strong>" in page.body
    assert 'href="http://127.0.0.1:8000/manage/"' in page.body
    answer = http(
        "POST",
        portal.url,
        form={"card_number": "5555555555554444", "exp_month": "1", "exp_year": "2031"},
    )
    assert answer.status == 200
    assert "ending in <strong>4444</strong>" in answer.body
    subscription = stripe_client.v1.subscriptions.retrieve(
        session.subscription.id, params={"expand": ["default_payment_method"]}
    )
    assert subscription.default_payment_method.card.last4 == "4444"
    types = [e.type for e in stripe_client.v1.events.list(params={"limit": 5}).data]
    assert {"payment_method.attached", "customer.subscription.updated"} <= set(types)
