"""One page per supporter: gifts and payments with money formatted, and one timeline of
Stripe events, failed attempts, plan changes (and who made them), emails and staff
actions, newest first, each linking to its record and to Stripe's dashboard."""

import contextvars
import re

import pytest
from django.utils import timezone

from subscriptions import stripe_gateway
from subscriptions.models import ChangedBy, Contribution, Payment
from subscriptions.roles import SUPPORTER_CARE
from subscriptions.services import contributions
from subscriptions.services.contributions import contribution_cancel
from subscriptions.stripe_events.subscriptions import contribution_mirror
from tests.factories import PaymentFactory
from tests.gifts import FAILS_LATER_CARD
from tests.staff import staff_member


def _page(client, supporter_id: int) -> str:
    client.force_login(staff_member(username="carer", password="pw-Care-2026", role=SUPPORTER_CARE))
    response = client.get(f"/admin/subscriptions/supporter/{supporter_id}/change/")
    assert response.status_code == 200
    return response.content.decode()


def _timeline(html: str) -> list[str]:
    section = html[html.index('id="care-timeline"') :]
    rows = re.findall(r"<tr class=\"timeline-[^\"]*\">(.*?)</tr>", section, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in rows]


def test_a_refund_made_in_stripes_dashboard_shows_on_the_timeline_with_its_email(
    site, client, stripe_api
):
    site.give(amount="10", email="giver@example.org")
    payment = Payment.objects.get()
    stripe_api.v1.refunds.create({"charge": payment.stripe_charge_id, "amount": 300})
    site.settle()

    html = _page(client, payment.supporter_id)
    timeline = _timeline(html)

    assert any("charge.refunded" in row for row in timeline)
    assert any(row.startswith(tuple("0123456789")) and "Refund issued" in row for row in timeline)
    assert "€10.00" in html
    assert "€3.00" in html  # refunded so far
    assert "https://dashboard.stripe.com/test/events/evt_" in html
    assert f"https://dashboard.stripe.com/test/payments/{payment.stripe_charge_id}" in html
    stamps = re.findall(r"<td>(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)</td>", html)
    assert stamps == sorted(stamps, reverse=True), "newest first"


def test_a_failed_renewal_and_the_supporters_own_cancellation_are_on_the_timeline(site, client):
    site.give(card=FAILS_LATER_CARD, email="late@example.org")
    site.advance(days=32)
    contribution = Contribution.objects.get()
    contribution_cancel(contribution=contribution, reason="too_expensive", detail="Rent went up.")
    site.settle()

    timeline = _timeline(_page(client, contribution.supporter_id))

    assert any("invoice.payment_failed" in row and "(failed)" in row for row in timeline)
    assert any("state: active → past_due, by Stripe" in row for row in timeline)
    # One row for the cancellation, with its reason, though its webhook came after.
    (cancelled,) = [row for row in timeline if "ends at period end" in row]
    assert (
        "ends at period end: False → True, by The supporter (manage page), "
        "because: I can no longer afford it (“Rent went up.”)"
    ) in cancelled


def test_a_cancellation_whose_webhook_wins_the_race_is_still_the_supporters(site, monkeypatch):
    """Stripe's event may be mirrored (by a worker, with no author) before the manage
    page's own call returns: the history row is still the supporter's, with the reason."""
    site.give(email="quick@example.org")
    contribution = Contribution.objects.get()
    asked = stripe_gateway.subscription_set_cancel_at_period_end

    def stripe_then_webhook_first(**kwargs):
        answer = asked(**kwargs)
        # A fresh context is a worker's: no author is set there.
        contextvars.Context().run(
            contribution_mirror, subscription_id=contribution.stripe_subscription_id
        )
        return answer

    monkeypatch.setattr(
        contributions.gateway, "subscription_set_cancel_at_period_end", stripe_then_webhook_first
    )

    contribution_cancel(contribution=contribution, reason="too_expensive", detail="Rent.")

    (change,) = contribution.changes.filter(field="cancel_at_period_end")
    assert (change.changed_by, change.reason, change.reason_detail) == (
        ChangedBy.SUPPORTER,
        "too_expensive",
        "Rent.",
    )


@pytest.mark.django_db
def test_the_supporter_page_has_no_save_delete_or_add_buttons(client):
    payment = PaymentFactory(amount=6000, fee=115, receipt_number="2026-000007")

    html = _page(client, payment.supporter_id)

    assert 'name="_save"' not in html
    assert "deletelink" not in html
    assert "Add another" not in html
    assert "€60.00" in html
    assert "€1.15" in html
    assert "€58.85" in html
    assert "2026-000007" in html
    assert timezone.now().strftime("%Y-%m-%d") in html


@pytest.mark.django_db
def test_a_payment_shows_its_fee_and_net_in_the_currency_the_newsroom_received(client):
    payment = PaymentFactory(
        amount=1000,
        currency="usd",
        settled_amount=920,
        settlement_currency="eur",
        exchange_rate="0.92",
        fee=57,
        net=863,
    )

    html = _page(client, payment.supporter_id)

    payments = html[html.index('id="care-payments"') : html.index('id="care-timeline"')]
    cells = [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r"<td>(.*?)</td>", payments, re.S)
    ]
    assert cells[1:4] == ["US$10.00", "€0.57", "€8.63"]
