"""Whatever order Stripe's events arrive in, and however often, the records end the same."""

import random

from subscriptions.models import (
    BalanceTransaction,
    Contribution,
    OutboxEmail,
    Payment,
    Payout,
    StripeEvent,
    Supporter,
)
from tests.gifts import FAILS_LATER_CARD, post_event


def _all_events(stripe_api) -> list[dict]:
    events, params = [], {"limit": 100}
    while True:
        page = stripe_api.v1.events.list(params).to_dict(for_json=True)
        events += page["data"]
        if not page["has_more"]:
            return list(reversed(events))  # oldest first, as they happened
        params["starting_after"] = page["data"][-1]["id"]


def _snapshot() -> dict:
    return {
        "supporters": sorted(Supporter.objects.values_list("email", "name")),
        "contributions": sorted(
            Contribution.objects.values_list(
                "public_id",
                "supporter__email",
                "amount",
                "currency",
                "frequency",
                "status",
                "stripe_subscription_id",
                "stripe_payment_intent_id",
                "current_period_end",
                "cancel_at_period_end",
                "started_at",
                "ended_at",
            ),
            key=str,
        ),
        "payments": sorted(
            Payment.objects.values_list(
                "stripe_charge_id",
                "contribution__public_id",
                "supporter__email",
                "amount",
                "fee",
                "net",
                "amount_refunded",
                "dispute_status",
                "stripe_invoice_id",
            ),
            key=str,
        ),
        "payouts": sorted(Payout.objects.values_list("stripe_payout_id", "amount", "status")),
        # Receipt numbers follow processing order, so subjects are left out.
        "emails": sorted(OutboxEmail.objects.values_list("to", "kind", "key")),
        "balance_transactions": sorted(
            BalanceTransaction.objects.values_list(
                "stripe_id",
                "payout__stripe_payout_id",
                "reporting_category",
                "amount",
                "fee",
                "net",
                "source_id",
            ),
            key=str,
        ),
    }


def _forget_everything_stripe_told_us(pending: list[dict]) -> None:
    StripeEvent.objects.all().delete()
    OutboxEmail.objects.all().delete()
    Payment.objects.all().delete()
    BalanceTransaction.objects.all().delete()
    Payout.objects.all().delete()
    for row in pending:
        Contribution.objects.filter(pk=row["pk"]).update(
            **{k: v for k, v in row.items() if k != "pk"}
        )
    Supporter.objects.all().delete()


def test_in_order_shuffled_and_duplicated_deliveries_leave_identical_records(
    site, stripe_api, client, celery_eager, settings
):
    # Make a busy history at Stripe with no webhook endpoint, so nothing is processed yet.
    site.sandbox.control("POST", "/_sandbox/reset")
    for fields, card in [
        ({"amount": "5"}, None),
        ({"amount": "50", "frequency": "year"}, None),
        ({"amount": "12", "frequency": "once"}, None),
        ({"amount": "7"}, FAILS_LATER_CARD),
    ]:
        response = site.start_gift(**fields)
        site.pay(response["Location"], **({"card": card} if card else {}))
    pending = list(
        Contribution.objects.values(
            "pk", "status", "supporter", "stripe_subscription_id", "stripe_payment_intent_id"
        )
    )
    site.sandbox.control("POST", "/_sandbox/clock/advance", {"days": 50})
    charges = stripe_api.v1.charges.list({"limit": 100})["data"]
    charge = next(c["id"] for c in charges if c["status"] == "succeeded")
    stripe_api.v1.refunds.create({"charge": charge, "amount": 100})
    site.sandbox.control("POST", "/_sandbox/payouts")
    events = _all_events(stripe_api)
    assert len(events) > 40

    snapshots = []
    rng = random.Random(20261127)
    duplicated = events + rng.sample(events, len(events) // 3)
    rng.shuffle(duplicated)
    shuffled = events[:]
    rng.shuffle(shuffled)
    for stream in (events, shuffled, duplicated):
        _forget_everything_stripe_told_us(pending)
        for event in stream:
            assert post_event(client, event).status_code == 200
        assert StripeEvent.objects.filter(processed_at__isnull=True).count() == 0
        snapshots.append(_snapshot())

    in_order, shuffled_result, duplicated_result = snapshots
    assert in_order["payments"], "the history produced payments"
    kinds = [email[1] for email in in_order["emails"]]
    assert kinds.count("receipt") == len(in_order["payments"])
    assert {"thank_you", "refund", "cancellation"} <= set(kinds)
    assert {c[5] for c in in_order["contributions"]} >= {"active", "paid", "canceled"}
    for name in in_order:
        assert shuffled_result[name] == in_order[name], name
        assert duplicated_result[name] == in_order[name], name
