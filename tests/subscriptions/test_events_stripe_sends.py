"""Events Stripe really sends beyond the happy path, each driven through the sandbox over
HTTP with Stripe's own test cards (issue 9 item 5)."""

import re

from subscriptions.models import Contribution, OutboxEmail, Payment
from tests.gifts import http_post_form

AUTHENTICATION_REQUIRED_CARD = "4000002760003184"


def _only_contribution() -> Contribution:
    contribution = Contribution.objects.get()
    contribution.refresh_from_db()
    return contribution


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
    assert "/support/manage/" in confirm.text

    status, _, page = http_post_form(confirm_url, {})
    site.settle()

    assert status == 200, page
    assert "This invoice is paid" in page
    contribution = _only_contribution()
    assert contribution.status == "active"
    assert Payment.objects.count() == 2
    assert OutboxEmail.objects.filter(kind="payment_action_required").count() == 1
