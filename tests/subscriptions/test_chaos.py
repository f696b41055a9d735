"""Webhooks delivered as Stripe may deliver them (shuffled, twice, late) end in the same records
as the same events delivered once each, in order."""

from collections.abc import Callable

import pytest
import stripe
from django.core.cache import cache

from subscriptions.models import (
    BalanceTransaction,
    Contribution,
    OutboxEmail,
    Payment,
    Payout,
    StripeEvent,
    Supporter,
)
from tests.gifts import FAILS_LATER_CARD, WEBHOOK_SECRET, Site
from tests.records import all_events, records_shape

CHAOS = {"on": True, "seed": 20261127, "window": 8, "duplicate_share": 0.5, "late_share": 0.3}


def monthly_gift(site: Site, stripe_api: stripe.StripeClient) -> None:
    site.give(amount="5")


def renewal(site: Site, stripe_api: stripe.StripeClient) -> None:
    site.give(amount="5")
    site.advance(days=31)


def failed_renewals_to_cancellation(site: Site, stripe_api: stripe.StripeClient) -> None:
    site.give(amount="7", card=FAILS_LATER_CARD)
    site.advance(days=31)
    site.advance(days=30)


def refund(site: Site, stripe_api: stripe.StripeClient) -> None:
    site.give(amount="20", frequency="once")
    stripe_api.v1.refunds.create({"charge": Payment.objects.get().stripe_charge_id, "amount": 500})
    site.settle()


def dispute(site: Site, stripe_api: stripe.StripeClient) -> None:
    site.give(amount="5")
    charge_id = Payment.objects.get().stripe_charge_id
    site.sandbox.control("POST", f"/_sandbox/charges/{charge_id}/dispute")
    site.settle()


def payout(site: Site, stripe_api: stripe.StripeClient) -> None:
    site.give(amount="5")
    site.give(amount="12", frequency="once", currency="usd")
    site.advance(days=3)
    site.sandbox.control("POST", "/_sandbox/payouts")
    site.sandbox.control("POST", "/_sandbox/clock/advance", {"seconds": 3600})  # reconciled
    site.settle()


SCENARIOS: list[Callable[[Site, stripe.StripeClient], None]] = [
    monthly_gift,
    renewal,
    failed_renewals_to_cancellation,
    refund,
    dispute,
    payout,
]


def fresh_start(site: Site) -> None:
    """A sandbox with only our endpoint, and a site that has heard nothing from Stripe."""
    site.sandbox.control("POST", "/_sandbox/reset")
    site.sandbox.control(
        "POST",
        "/_sandbox/webhook_endpoints",
        {"url": f"{site.live_url}/stripe/webhook/", "secret": WEBHOOK_SECRET},
    )
    for model in (OutboxEmail, Payment, BalanceTransaction, Payout, StripeEvent, Contribution):
        model.objects.all().delete()
    Supporter.objects.all().delete()
    cache.clear()


def run_story(
    site: Site,
    stripe_api: stripe.StripeClient,
    scenario: Callable[[Site, stripe.StripeClient], None],
    chaos: dict,
) -> tuple[dict, dict]:
    """The scenario's records, and what the sandbox says of its deliveries."""
    fresh_start(site)
    site.sandbox.control("POST", "/_sandbox/chaos", chaos)
    try:
        scenario(site, stripe_api)
    finally:
        site.sandbox.control("POST", "/_sandbox/chaos", {"on": False})
    assert StripeEvent.objects.filter(processed_at__isnull=True).count() == 0
    return records_shape(), site.sandbox.control("GET", "/_sandbox/deliveries")


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.__name__ for s in SCENARIOS])
def test_chaotic_deliveries_end_in_the_records_of_in_order_ones(site, stripe_api, scenario):
    in_order, calm = run_story(site, stripe_api, scenario, {"on": False})
    after_chaos, delivered = run_story(site, stripe_api, scenario, CHAOS)

    assert delivered["counts"] == {"pending": 0, "delivered": len(delivered["data"]), "failed": 0}
    attempts = sorted(delivered["data"], key=lambda a: a["time"])
    assert all(a["status"] == 200 for a in attempts)
    events = all_events(stripe_api)
    arrival = list(dict.fromkeys(a["event_id"] for a in attempts))
    assert sorted(arrival) == sorted(e["id"] for e in events), "every event arrived"
    assert arrival != [e["id"] for e in events], "the events arrived out of order"
    assert len(attempts) > len(arrival), "some events arrived twice"
    assert len(calm["data"]) == len(arrival), "in order, each event arrived once"
    assert in_order["payments"] or scenario is monthly_gift
    for name in in_order:
        assert after_chaos[name] == in_order[name], name
