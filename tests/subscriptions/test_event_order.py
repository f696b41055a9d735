"""Whatever order Stripe's events arrive in, and however often, the records end the same."""

import random

from subscriptions.models import StripeEvent
from tests.gifts import FAILS_LATER_CARD, post_event
from tests.records import (
    all_events,
    forget_everything_stripe_told_us,
    pending_contributions,
    records_snapshot,
)


def test_in_order_shuffled_and_duplicated_deliveries_leave_identical_records(
    site, stripe_api, client, celery_eager, settings
):
    # Make a busy history at Stripe with no webhook endpoint, so nothing is processed yet.
    site.sandbox.control("POST", "/_sandbox/reset")
    for fields, card in [
        ({"amount": "5"}, None),
        ({"amount": "50", "frequency": "year"}, None),
        ({"amount": "12", "frequency": "once", "currency": "gbp"}, None),
        ({"amount": "7"}, FAILS_LATER_CARD),
    ]:
        response = site.start_gift(**fields)
        site.pay(response["Location"], **({"card": card} if card else {}))
    pending = pending_contributions()
    site.sandbox.control("POST", "/_sandbox/clock/advance", {"days": 50})
    charges = stripe_api.v1.charges.list({"limit": 100})["data"]
    charge = next(c["id"] for c in charges if c["status"] == "succeeded")
    stripe_api.v1.refunds.create({"charge": charge, "amount": 100})
    site.sandbox.control("POST", "/_sandbox/payouts")
    site.sandbox.control("POST", "/_sandbox/clock/advance", {"seconds": 3600})  # reconciled
    events = all_events(stripe_api)
    assert len(events) > 40

    snapshots = []
    rng = random.Random(20261127)
    duplicated = events + rng.sample(events, len(events) // 3)
    rng.shuffle(duplicated)
    shuffled = events[:]
    rng.shuffle(shuffled)
    for stream in (events, shuffled, duplicated):
        forget_everything_stripe_told_us(pending)
        for event in stream:
            assert post_event(client, event).status_code == 200
        assert StripeEvent.objects.filter(processed_at__isnull=True).count() == 0
        snapshots.append(records_snapshot())

    in_order, shuffled_result, duplicated_result = snapshots
    assert in_order["payments"], "the history produced payments"
    kinds = [email[1] for email in in_order["emails"]]
    assert kinds.count("receipt") == len(in_order["payments"])
    assert {"thank_you", "refund", "cancellation"} <= set(kinds)
    assert {c[5] for c in in_order["contributions"]} >= {"active", "paid", "canceled"}
    for name in in_order:
        assert shuffled_result[name] == in_order[name], name
        assert duplicated_result[name] == in_order[name], name
