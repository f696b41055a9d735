"""Events Stripe really sends beyond the happy path, each driven through the sandbox over
HTTP with Stripe's own test cards (issue 9 item 5)."""

import http.server
import re
import threading
import time
import urllib.request
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from subscriptions import stripe_gateway as gateway
from subscriptions.emails.formatting import local_date
from subscriptions.models import (
    BalanceTransaction,
    Contribution,
    OutboxEmail,
    Payment,
    StripeEvent,
)
from subscriptions.services.events import EventProcessingFailed, stripe_event_process
from subscriptions.stripe_events.subscriptions import subscription_apply, subscription_fetch
from tests.gifts import http_post_form, post_event
from tests.records import records_snapshot

AUTHENTICATION_REQUIRED_CARD = "4000002760003184"
DISPUTED_CARD = "4000000000000259"
REFUND_FAILS_CARD = "4000000000005126"


def _only_contribution() -> Contribution:
    contribution = Contribution.objects.get()
    contribution.refresh_from_db()
    return contribution


def _open_manage_page(site) -> str:
    """Ask for a manage link and open it, as the supporter does: the browser then holds a
    manage session. Answers the manage page's path."""
    mail.outbox.clear()
    site.client.post("/support/manage/", {"email": "reader@example.org"})
    # A send takes other due emails with it; every one of them carries a manage link.
    message = [m for m in mail.outbox if m.to == ["reader@example.org"]][-1]
    link = re.search(r"https?://[^/\s]+(/support/manage/[^\s\"<]+/)", message.body)
    assert link, message.body
    opened = site.client.get(link[1])
    assert opened.status_code == 303, opened.content.decode()[:2000]
    return opened["Location"]


def test_a_renewal_that_needs_3d_secure_emails_the_page_to_confirm_it(site):
    site.give(card=AUTHENTICATION_REQUIRED_CARD)
    assert Payment.objects.count() == 1, "the hosted checkout completes 3-D Secure"

    site.advance(days=31)

    assert _only_contribution().status == "past_due"
    assert Payment.objects.count() == 1
    assert not OutboxEmail.objects.filter(kind="payment_failed").exists(), (
        "a payment waiting for confirmation did not fail: no 'we will try again' email"
    )
    confirm = OutboxEmail.objects.get(kind="payment_action_required")
    assert "Your bank asks you to confirm your payment of €5.00" in confirm.text
    match = re.search(r"Confirm my payment: (\S+)", confirm.text)
    assert match, confirm.text
    confirm_url = match.group(1)
    assert confirm_url.startswith(f"{site.sandbox.url}/invoices/in_")
    assert confirm.status == "sent"
    (sent,) = [m for m in mail.outbox if m.extra_headers["Message-ID"] == confirm.message_id]
    assert re.search(r"https?://[^/\s]+/support/manage/\S+/", sent.body), "with a manage link"

    status, _, page = http_post_form(confirm_url, {})
    site.settle()

    assert status == 200, page
    assert "This invoice is paid" in page
    contribution = _only_contribution()
    assert contribution.status == "active"
    assert Payment.objects.count() == 2
    assert OutboxEmail.objects.filter(kind="payment_action_required").count() == 1


def test_a_cancellation_set_in_stripe_tells_its_own_date_and_not_as_you_asked(site, stripe_api):
    site.give(amount="5")
    contribution = _only_contribution()
    ends = contribution.current_period_end - timedelta(days=10)

    stripe_api.v1.subscriptions.update(
        contribution.stripe_subscription_id, {"cancel_at": int(ends.timestamp())}
    )
    site.settle()

    contribution = _only_contribution()
    assert contribution.cancel_at == ends
    assert contribution.cancel_reason == ""
    email = OutboxEmail.objects.get(kind="cancellation")
    assert f"is set to end on {local_date(ends)}" in email.text
    assert "As you asked" not in email.text

    site.advance(days=25)

    contribution = _only_contribution()
    assert contribution.status == "canceled"
    assert contribution.ended_at == ends
    assert contribution.payments.count() == 1
    assert OutboxEmail.objects.filter(kind="cancellation").count() == 1


def test_the_supporters_reason_travels_to_stripe_and_back(site, stripe_api):
    site.give(amount="5")
    contribution = _only_contribution()
    path = _open_manage_page(site)

    site.client.post(f"{path}gifts/{contribution.public_id}/cancel/", {"reason": "temporary"})
    site.settle()

    subscription = stripe_api.v1.subscriptions.retrieve(contribution.stripe_subscription_id)
    assert subscription["cancellation_details"]["reason"] == "cancellation_requested"
    assert subscription["cancellation_details"]["feedback"] == "unused"
    ends = _only_contribution().current_period_end
    email = OutboxEmail.objects.get(kind="cancellation")
    assert "As you asked, your support of €5.00 every month for" in email.text
    assert f"will end on {local_date(ends)}" in email.text


def test_a_plan_ended_by_failed_payments_says_so_with_the_date(site):
    site.give(card="4000000000000341")

    site.advance(days=61)

    contribution = _only_contribution()
    assert contribution.status == "canceled"
    assert contribution.cancel_reason == "payment_failed"
    email = OutboxEmail.objects.get(kind="cancellation")
    assert "We could not take your last payments" in email.text
    assert f"ended on {local_date(contribution.ended_at)}" in email.text


def test_an_upcoming_renewal_is_read_from_stripe_whatever_the_endpoints_api_version(site):
    site.give(amount="60", frequency="year")
    contribution = _only_contribution()
    site.advance(days=340)
    assert not OutboxEmail.objects.filter(kind="renewal_coming").exists()
    # An upcoming invoice as an endpoint pinned to an older API version receives it: the
    # subscription sits at the top level (not under `parent`) and there is no id.
    now = int(time.time()) + 340 * 86400
    older_version = {
        "id": "evt_upcoming_older_version",
        "object": "event",
        "api_version": "2024-06-20",
        "created": now,
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": "invoice.upcoming",
        "data": {
            "object": {
                "object": "invoice",
                "customer": contribution.stripe_customer_id,
                "subscription": contribution.stripe_subscription_id,
                "amount_due": 6000,
                "currency": "eur",
                "billing_reason": "upcoming",
            }
        },
    }

    response = post_event(site.client, older_version)

    assert response.status_code == 200
    reminder = OutboxEmail.objects.get(kind="renewal_coming")
    assert local_date(contribution.current_period_end) in reminder.text
    assert "€60.00" in reminder.text


def test_a_gift_disputed_before_its_payment_is_recorded_keeps_the_dispute(site):
    # Stripe's dispute test card: the dispute is opened right after the charge, so its
    # event comes before the invoice event that records the payment.
    site.give(card=DISPUTED_CARD)

    payment = Payment.objects.get()
    assert payment.dispute_status == "needs_response"
    assert payment.stripe_dispute_id.startswith("dp_")
    contribution = _only_contribution()
    assert payment.contribution == contribution
    assert payment.supporter == contribution.supporter
    assert payment.stripe_invoice_id.startswith("in_")
    assert OutboxEmail.objects.filter(kind="receipt").count() == 1


def test_a_refund_that_fails_later_gives_the_amount_back_and_tells_staff_not_the_supporter(
    site, stripe_api, admin_client
):
    site.give(amount="20", frequency="once", card=REFUND_FAILS_CARD)
    payment = Payment.objects.get()

    refund = stripe_api.v1.refunds.create({"charge": payment.stripe_charge_id, "amount": 500})
    site.settle()

    assert refund.status == "pending"
    payment.refresh_from_db()
    assert payment.amount_refunded == 500
    assert not OutboxEmail.objects.filter(kind="refund").exists(), "not refunded yet"

    site.advance(days=1)

    payment.refresh_from_db()
    assert payment.amount_refunded == 0
    assert f"Refund {refund.id} of €5 failed (expired_or_canceled_card)" in payment.refund_failures
    assert not OutboxEmail.objects.filter(kind="refund").exists()
    assert payment.refund_failures.count(refund.id) == 1, "noted once for both events"
    listing = admin_client.get("/admin/subscriptions/payment/").content.decode()
    assert f"Refund {refund.id} of €5 failed" in listing
    categories = set(BalanceTransaction.objects.values_list("reporting_category", flat=True))
    assert "refund_failure" in categories


def test_a_failed_refund_of_a_dollar_gift_comes_back_in_euros_at_the_charges_rate(site, stripe_api):
    site.give(amount="20", frequency="once", currency="usd", card=REFUND_FAILS_CARD)
    payment = Payment.objects.get()
    refund = stripe_api.v1.refunds.create({"charge": payment.stripe_charge_id, "amount": 500})
    out = stripe_api.v1.balance_transactions.retrieve(refund.balance_transaction)

    site.advance(days=1)

    back = BalanceTransaction.objects.get(reporting_category="refund_failure")
    assert (out.currency, back.currency) == ("eur", "eur")
    assert back.amount == -out.amount == 460, "$5.00 at 0.92, as it went out"
    assert back.exchange_rate == payment.exchange_rate == Decimal("0.92")


def test_a_refund_that_succeeds_is_emailed_once_per_refund(site, stripe_api):
    site.give(amount="20", frequency="once")
    payment = Payment.objects.get()

    for _ in range(2):
        stripe_api.v1.refunds.create({"charge": payment.stripe_charge_id, "amount": 500})
        site.settle()

    emails = OutboxEmail.objects.filter(kind="refund")
    assert emails.count() == 2
    assert all("We have refunded €5.00 of your payment of €20.00" in e.text for e in emails)


def test_a_paused_gift_shows_paused_takes_nothing_then_resumes(site, stripe_api):
    site.give(amount="5")
    contribution = _only_contribution()

    stripe_api.v1.subscriptions.pause(contribution.stripe_subscription_id)
    site.settle()

    assert _only_contribution().status == "paused"
    path = _open_manage_page(site)
    assert "Status: <strong>Paused</strong>" in site.client.get(path).content.decode()
    site.advance(days=40)
    assert Payment.objects.count() == 1, "a paused gift takes nothing"

    stripe_api.v1.subscriptions.resume(contribution.stripe_subscription_id)
    site.settle()

    contribution = _only_contribution()
    assert contribution.status == "active"
    assert Payment.objects.count() == 2, "resuming starts a new period, paid now"


def _stripe_unreachable(settings) -> None:
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens on the discard port
    settings.STRIPE_MAX_NETWORK_RETRIES = 0


def test_a_repeated_invoice_paid_needs_no_stripe_call(site, settings):
    # Once invoice.paid has recorded the payment, a repeat of it is done even while Stripe
    # is down.
    site.give(amount="5", frequency="month")
    before = records_snapshot()
    repeat = StripeEvent.objects.get(type="invoice.paid")
    _stripe_unreachable(settings)

    processed = stripe_event_process(event_pk=repeat.pk, force=True)

    assert processed.last_error == ""
    assert records_snapshot() == before


def _renewals_subscription_update(site, *, received_before_our_read: timedelta) -> StripeEvent:
    """A monthly gift renewed once; its renewal's customer.subscription.updated, unprocessed
    again as though it still waited in the queue, received this long before our last read
    of the subscription."""
    site.give(amount="5", frequency="month")
    site.advance(days=31)
    read_at = _only_contribution().stripe_synced_at
    event = StripeEvent.objects.filter(type="customer.subscription.updated").latest("pk")
    StripeEvent.objects.filter(pk=event.pk).update(
        processed_at=None, received_at=read_at - received_before_our_read
    )
    event.refresh_from_db()
    return event


def test_a_subscription_event_received_before_our_last_read_of_it_needs_no_stripe_call(
    site, settings
):
    # In a month's renewals, the subscription's update waits in the queue behind its
    # invoice.paid, which reads the subscription: by then the update has nothing to add.
    event = _renewals_subscription_update(site, received_before_our_read=timedelta(minutes=1))
    before = records_snapshot()
    _stripe_unreachable(settings)

    processed = stripe_event_process(event_pk=event.pk)

    assert processed.processed_at is not None
    assert processed.last_error == ""
    assert records_snapshot() == before


def test_a_subscription_event_received_after_our_last_read_of_it_is_read_from_stripe(
    site, settings
):
    # Within the margin for two machines' clocks, or later: the event may say something new.
    event = _renewals_subscription_update(site, received_before_our_read=timedelta(seconds=5))
    _stripe_unreachable(settings)

    processed = stripe_event_process_failing(event.pk)

    assert processed.processed_at is None
    assert "Connection" in processed.last_error or "connect" in processed.last_error


def test_a_replayed_subscription_event_is_always_read_from_stripe(site, settings):
    event = _renewals_subscription_update(site, received_before_our_read=timedelta(minutes=1))
    StripeEvent.objects.filter(pk=event.pk).update(processed_at=timezone.now())
    _stripe_unreachable(settings)

    processed = stripe_event_process_failing(event.pk, force=True)

    assert processed.attempts == event.attempts + 1
    assert processed.last_error


def stripe_event_process_failing(event_pk: int, *, force: bool = False) -> StripeEvent:
    with pytest.raises(EventProcessingFailed):
        stripe_event_process(event_pk=event_pk, force=force)
    return StripeEvent.objects.get(pk=event_pk)


def test_an_older_read_of_a_subscription_never_undoes_a_newer_one(site, stripe_api):
    # Two workers read the same subscription; the one that asked first writes last.
    site.give(amount="5", frequency="month")
    contribution = _only_contribution()
    older = subscription_fetch(contribution.stripe_subscription_id)
    stripe_api.v1.subscriptions.update(
        contribution.stripe_subscription_id, {"cancel_at_period_end": True}
    )
    site.settle()  # the webhook reads the newer copy and writes it
    assert _only_contribution().cancel_at_period_end
    before = records_snapshot()

    with transaction.atomic():
        subscription_apply(older)

    assert records_snapshot() == before
    assert _only_contribution().cancel_at_period_end


def test_a_plan_is_dated_when_stripe_was_asked_not_when_it_answered(site, settings):
    # What a later event is compared with: a change Stripe made while its answer was on the
    # way must not count as already read.
    site.give(amount="5", frequency="month")
    contribution = _only_contribution()
    Contribution.objects.filter(pk=contribution.pk).update(amount=700)  # ours has drifted

    with _CountingStripe(settings.STRIPE_API_BASE, delay=1.0) as slow:
        settings.STRIPE_API_BASE = slow.url
        asked = timezone.now()
        facts = subscription_fetch(contribution.stripe_subscription_id)
        answered = timezone.now()
    with transaction.atomic():
        subscription_apply(facts)

    assert answered - asked >= timedelta(seconds=1)
    mirrored = _only_contribution()
    assert mirrored.amount == 500
    assert asked <= mirrored.stripe_synced_at < asked + timedelta(seconds=0.5)


def test_an_upcoming_renewal_of_a_monthly_supporter_needs_no_stripe_call(site, settings):
    site.give(amount="5", frequency="month")
    contribution = _only_contribution()
    event = {
        "id": "evt_upcoming_monthly",
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": int(time.time()),
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": "invoice.upcoming",
        "data": {"object": {"object": "invoice", "customer": contribution.stripe_customer_id}},
    }
    _stripe_unreachable(settings)

    response = post_event(site.client, event)

    assert response.status_code == 200
    stored = StripeEvent.objects.get(stripe_id="evt_upcoming_monthly")
    assert stored.processed_at is not None
    assert not OutboxEmail.objects.filter(kind="renewal_coming").exists()


class _CountingStripe:
    """Forwards every API call to the sandbox and counts them: how many round trips a
    handler's fetch costs, each one a wait on the network for a busy worker."""

    def __init__(self, upstream: str, *, delay: float = 0) -> None:
        self.upstream = upstream
        self.delay = delay  # seconds each answer takes, as from a slow Stripe
        self.paths: list[str] = []
        counting = self

        class Forward(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the standard library's name
                counting.paths.append(self.path.split("?")[0])
                time.sleep(counting.delay)
                request = urllib.request.Request(  # noqa: S310 - the local sandbox
                    counting.upstream + self.path, headers=dict(self.headers)
                )
                with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310
                    body = answer.read()
                    self.send_response(answer.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Forward)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "_CountingStripe":
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_a_renewals_paid_invoice_is_read_in_two_stripe_calls(site, settings):
    # The invoice with its payments and its subscription, then the paying intent with its
    # charge, the charge's balance transaction and refunds: every paid renewal is read this
    # way by its worker.
    site.give(amount="5", frequency="month")
    site.advance(days=31)
    renewal = Payment.objects.order_by("-paid_at").first()
    assert Payment.objects.count() == 2

    with _CountingStripe(settings.STRIPE_API_BASE) as counting:
        settings.STRIPE_API_BASE = counting.url
        invoice = gateway.invoice_retrieve(renewal.stripe_invoice_id)

    assert invoice.charge is not None
    assert invoice.charge.id == renewal.stripe_charge_id
    assert invoice.charge.status == "succeeded"
    assert invoice.charge.balance_transaction is not None
    assert invoice.charge.balance_transaction.id == renewal.stripe_balance_transaction_id
    contribution = _only_contribution()
    assert invoice.subscription is not None
    assert invoice.subscription.id == contribution.stripe_subscription_id
    assert invoice.subscription.current_period_end == contribution.current_period_end
    assert invoice.subscription.card_last4 == "4242"
    assert len(counting.paths) == 2, counting.paths


def test_a_subscription_event_that_changes_nothing_writes_nothing(site):
    # A renewal's invoice.paid reads the subscription its customer.subscription.updated has
    # already mirrored: the plan is not written again.
    site.give(amount="5", frequency="month")
    contribution = _only_contribution()
    event = StripeEvent.objects.filter(type="customer.subscription.created").get()

    with CaptureQueriesContext(connection) as queries:
        stripe_event_process(event_pk=event.pk, force=True)

    writes = [q for q in queries if q["sql"].startswith('UPDATE "subscriptions_contribution"')]
    assert writes == []
    assert _only_contribution().stripe_synced_at == contribution.stripe_synced_at
