"""A reader gives, and our records follow Stripe (the sandbox, over HTTP) exactly."""

from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client

from subscriptions.models import (
    Contribution,
    OutboxEmail,
    Payment,
    Payout,
    StripeEvent,
    Supporter,
)
from tests.factories import ArticleFactory
from tests.gifts import DECLINED_CARD, FAILS_LATER_CARD, session_id_from


def _only_contribution() -> Contribution:
    contribution = Contribution.objects.get()
    contribution.refresh_from_db()
    return contribution


def test_a_monthly_gift_from_an_article_becomes_an_active_plan_with_its_first_payment(site):
    article = ArticleFactory()

    success_url = site.give(path=article.get_absolute_url(), amount="5", frequency="month")

    contribution = _only_contribution()
    assert contribution.status == "active"
    assert (contribution.amount, contribution.currency, contribution.frequency) == (
        500,
        "eur",
        "month",
    )
    assert contribution.source_article == article
    assert contribution.stripe_subscription_id.startswith("sub_")
    assert contribution.supporter.email == "reader@example.org"
    payment = Payment.objects.get()
    assert (payment.amount, payment.fee, payment.net) == (500, 33, 467)
    assert payment.contribution == contribution
    assert payment.stripe_invoice_id.startswith("in_")
    assert StripeEvent.objects.filter(processed_at__isnull=True).count() == 0
    assert session_id_from(success_url) == contribution.stripe_checkout_session_id
    sent = {email.kind: email for email in OutboxEmail.objects.all()}
    assert set(sent) == {"thank_you", "receipt"}
    assert payment.receipt_number in sent["receipt"].subject
    assert all(email.status == "sent" for email in sent.values())


def test_the_thanks_page_shows_the_confirmed_gift_and_articles_then_thank_instead_of_ask(site):
    success_url = site.give(amount="7.50", frequency="month")
    thanks = site.client.get(site.thanks_path(success_url))

    assert thanks.status_code == 200
    page = thanks.content.decode()
    assert "€7.50" in page
    assert "Your next payment is on" in page
    article = ArticleFactory()
    next_article = site.client.get(article.get_absolute_url()).content.decode()
    assert 'name="frequency"' not in next_article
    assert "Thank you for supporting" in next_article


def test_the_thanks_page_shows_the_gift_once_and_only_to_the_browser_that_gave(site):
    start = site.start_gift(amount="7.50", frequency="month")
    # The cookie that remembers the checkout is set on the redirect, for the thanks page
    # only: the pages with the appeal stay without cookies, and cacheable.
    remembered = start.cookies["checkout"]
    assert remembered["path"] == "/support/thanks/"
    assert remembered["httponly"]
    status, headers, _ = site.pay(start["Location"])
    site.settle()
    thanks_path = site.thanks_path(headers["Location"])

    elsewhere = Client().get(thanks_path)
    first = site.client.get(thanks_path)
    again = site.client.get(thanks_path)

    assert "€7.50" in first.content.decode()
    assert "reader@example.org" in first.content.decode()
    for page in (elsewhere, again):
        assert page.status_code == 200
        html = page.content.decode()
        assert "Thank you for supporting" in html
        assert "€7.50" not in html
        assert "reader@example.org" not in html
    for page in (elsewhere, first, again):
        assert "no-store" in page["Cache-Control"]


def test_an_old_form_never_reopens_a_finished_gift(site, stripe_api):
    token = "0d7e5c4b-3a2f-4e1d-9c8b-7a6f5e4d3c2b"
    first = site.start_gift(form_token=token)
    site.pay(first["Location"])
    site.settle()
    paid = _only_contribution()
    assert paid.status == "active"

    again = site.start_gift(form_token=token)

    assert again.status_code == 303
    assert again["Location"] != first["Location"]
    assert Contribution.objects.count() == 2
    paid.refresh_from_db()
    assert paid.status == "active"
    assert paid.stripe_checkout_session_id == session_id_from(first["Location"])


def test_the_thanks_page_confirms_from_stripe_even_before_any_webhook(site):
    site.sandbox.control("POST", "/_sandbox/reset")  # no webhook endpoint any more
    response = site.start_gift(amount="10", frequency="year")
    status, headers, _ = site.pay(response["Location"])
    assert status == 303

    thanks = site.client.get(site.thanks_path(headers["Location"]))

    assert thanks.status_code == 200
    assert "€10" in thanks.content.decode()
    assert _only_contribution().status == "active"


def test_a_yearly_gift(site):
    site.give(amount="60", frequency="year", currency="gbp")

    contribution = _only_contribution()
    assert (contribution.status, contribution.frequency) == ("active", "year")
    assert (contribution.amount, contribution.currency) == (6000, "gbp")
    assert (contribution.current_period_end - contribution.started_at).days in (365, 366)


def test_a_one_time_gift_is_paid_once_with_no_plan(site):
    site.give(amount="25", frequency="once", currency="usd")

    contribution = _only_contribution()
    assert contribution.status == "paid"
    assert contribution.stripe_subscription_id is None
    assert contribution.stripe_payment_intent_id.startswith("pi_")
    payment = Payment.objects.get()
    # What the reader paid, and what the EUR account received: USD 25.00 at 0.92, less the fee.
    assert (payment.amount, payment.currency) == (2500, "usd")
    assert (payment.settled_amount, payment.settlement_currency) == (2300, "eur")
    assert (payment.exchange_rate, payment.fee, payment.net) == (Decimal("0.92"), 60, 2240)


def test_the_thanks_page_of_a_one_time_usd_gift_shows_what_the_reader_paid(site):
    success_url = site.give(amount="25", frequency="once", currency="usd")

    thanks = site.client.get(site.thanks_path(success_url))

    assert thanks.status_code == 200
    page = thanks.content.decode()
    assert "Your gift: US$25 once." in page
    assert "€" not in page


def test_covering_the_fees_is_computed_on_the_server(site):
    site.give(amount="10", frequency="month", cover_fees="on")

    contribution = _only_contribution()
    assert contribution.covers_fees
    payment = Payment.objects.get()
    assert payment.net >= 1000
    assert contribution.covered_fee == contribution.amount - 1000 > 0


def test_a_declined_card_creates_no_plan_and_no_payment(site):
    response = site.start_gift()
    status, _, body = site.pay(response["Location"], card=DECLINED_CARD)
    site.settle()

    assert status == 402
    assert "declined" in body.lower()
    assert _only_contribution().status == "pending"
    assert Payment.objects.count() == 0
    assert Supporter.objects.count() == 0


def test_a_renewal_after_a_month_adds_a_second_payment(site):
    site.give()

    site.advance(days=31)

    contribution = _only_contribution()
    assert contribution.status == "active"
    assert Payment.objects.count() == 2
    assert len({p.stripe_invoice_id for p in Payment.objects.all()}) == 2


def test_failing_renewals_go_past_due_then_cancelled(site):
    site.give(card=FAILS_LATER_CARD)

    site.advance(days=31)
    assert _only_contribution().status == "past_due"
    failed = OutboxEmail.objects.get(kind="payment_failed")
    assert "We will try again on" in failed.text
    (sent,) = [message for message in mail.outbox if message.subject == failed.subject]
    assert "/support/manage/" in sent.body

    site.advance(days=30)
    contribution = _only_contribution()
    assert contribution.status == "canceled"
    assert contribution.ended_at is not None
    assert contribution.cancel_reason == "payment_failed"
    assert Payment.objects.count() == 1
    ended = OutboxEmail.objects.get(kind="cancellation")
    assert "could not take your last payments" in ended.text


def test_a_refund_made_in_stripe_shows_on_the_payment(site, stripe_api):
    site.give(amount="20")
    payment = Payment.objects.get()

    stripe_api.v1.refunds.create({"charge": payment.stripe_charge_id, "amount": 500})
    site.settle()

    payment.refresh_from_db()
    assert payment.amount_refunded == 500
    refund = OutboxEmail.objects.get(kind="refund")
    assert "We have refunded €5.00 of your payment of €20.00" in refund.text


def test_a_dispute_shows_on_the_payment(site):
    site.give()
    payment = Payment.objects.get()

    site.sandbox.control("POST", f"/_sandbox/charges/{payment.stripe_charge_id}/dispute")
    site.settle()

    payment.refresh_from_db()
    assert payment.dispute_status == "needs_response"
    assert payment.stripe_dispute_id.startswith("dp_")


def test_a_payout_is_recorded_and_claims_its_payments_once_reconciled(site):
    site.give(amount="5")
    site.give(amount="12", frequency="once")
    site.advance(days=3)  # balance becomes available after two days

    site.sandbox.control("POST", "/_sandbox/payouts")
    site.settle()

    payout = Payout.objects.get()
    assert (payout.status, payout.reconciliation_status) == ("paid", "in_progress")
    assert payout.transactions.count() == 0
    site.sandbox.control("POST", "/_sandbox/clock/advance", {"seconds": 3600})
    site.settle()

    payout.refresh_from_db()
    assert payout.reconciliation_status == "completed"
    assert payout.reconciled_at is not None
    assert payout.amount == sum(p.net for p in Payment.objects.all())
    swept = {txn.stripe_id for txn in payout.transactions.all()}
    assert swept == {p.stripe_balance_transaction_id for p in Payment.objects.all()}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"amount": "-5"}, "at least"),
        ({"amount": "0"}, "at least"),
        ({"amount": "1.999"}, "decimal point"),
        ({"amount": "1000000000"}, "no more than"),
        ({"amount": "five"}, "as a number"),
        ({"currency": "xyz"}, "currencies"),
        ({"frequency": "weekly"}, "monthly, yearly or once"),
        ({"amount": ""}, "choose or enter an amount"),
        ({"amount": "5" * 10_000}, "shorter amount"),
        ({"website": "http://spam.example"}, "could not be sent"),
    ],
)
def test_bad_input_gets_a_clear_error_and_nothing_at_stripe(site, stripe_api, fields, message):
    response = site.start_gift(**fields)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert Contribution.objects.count() == 0
    assert stripe_api.v1.checkout.sessions.list()["data"] == []


def test_a_huge_body_is_refused_without_a_stack_trace(site, stripe_api):
    response = site.client.post(
        "/support/", {"amount": "5", "currency": "eur", "frequency": "month", "x": "y" * 3_000_000}
    )

    assert response.status_code == 400
    assert Contribution.objects.count() == 0
    assert stripe_api.v1.checkout.sessions.list()["data"] == []


def test_the_next_reader_at_a_shared_computer_does_not_find_the_last_email_at_stripe(
    site, stripe_api
):
    success_url = site.give(email="returning@example.org")
    site.client.get(site.thanks_path(success_url))  # sets the supporter cookie

    response = site.start_gift(amount="20", frequency="once")

    session = stripe_api.v1.checkout.sessions.retrieve(session_id_from(response["Location"]))
    assert not session["customer_email"]


def test_stripe_is_not_told_the_readers_address_or_browser(site, stripe_api):
    form = {"amount": "20", "currency": "eur", "frequency": "once", "upsell": "declined"}
    response = site.client.post("/support/", form, HTTP_USER_AGENT="Reader/1.0")

    session = stripe_api.v1.checkout.sessions.retrieve(session_id_from(response["Location"]))
    metadata = session["metadata"].to_dict()
    assert set(metadata) <= {"contribution_id", "source_article"}
    assert "Reader/1.0" not in str(session)
    assert "127.0.0.1" not in str(metadata)


def test_missing_fields_get_a_clear_error(site, stripe_api):
    response = site.client.post("/support/", {})

    assert response.status_code == 400
    assert stripe_api.v1.checkout.sessions.list()["data"] == []


def test_a_double_submitted_form_opens_one_checkout_session(site, stripe_api):
    token = "4b0f1a9e-8f0c-4c39-9d7b-2a6a3c7d5e10"

    first = site.start_gift(form_token=token)
    second = site.start_gift(form_token=token)

    assert first["Location"] == second["Location"]
    assert Contribution.objects.count() == 1
    assert len(stripe_api.v1.checkout.sessions.list()["data"]) == 1


def test_checkout_is_rate_limited_per_ip_with_a_clear_page(site, settings, stripe_api):
    settings.CHECKOUT_RATE_LIMIT_PER_IP = 2
    site.start_gift()
    site.start_gift()

    response = site.start_gift()

    assert response.status_code == 429
    assert "too many attempts" in response.content.decode().lower()
    assert len(stripe_api.v1.checkout.sessions.list()["data"]) == 2
