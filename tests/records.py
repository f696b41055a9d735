"""Our records of what Stripe told us: a comparable snapshot, a way to forget, the events."""

from subscriptions.models import (
    BalanceTransaction,
    Contribution,
    OutboxEmail,
    Payment,
    Payout,
    StripeEvent,
    Supporter,
)

PENDING_FIELDS = ("pk", "status", "supporter", "stripe_subscription_id", "stripe_payment_intent_id")


def all_events(stripe_api) -> list[dict]:
    events, params = [], {"limit": 100}
    while True:
        page = stripe_api.v1.events.list(params).to_dict(for_json=True)
        events += page["data"]
        if not page["has_more"]:
            return list(reversed(events))  # oldest first, as they happened
        params["starting_after"] = page["data"][-1]["id"]


def records_snapshot() -> dict:
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
                "settled_amount",
                "settlement_currency",
                "exchange_rate",
                "fee",
                "net",
                "amount_refunded",
                "dispute_status",
                "stripe_invoice_id",
            ),
            key=str,
        ),
        "payouts": sorted(
            Payout.objects.values_list(
                "stripe_payout_id", "amount", "status", "automatic", "reconciliation_status"
            )
        ),
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


def forget_everything_stripe_told_us(pending: list[dict]) -> None:
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


def pending_contributions() -> list[dict]:
    """Each contribution as it stands before Stripe has told us anything of it."""
    return list(Contribution.objects.values(*PENDING_FIELDS))


def records_shape() -> dict:
    """The records without ids or times: what two separate runs of one story share."""
    return {
        "supporters": sorted(Supporter.objects.values_list("email", "name")),
        "contributions": sorted(
            (
                c.supporter.email if c.supporter else None,
                c.amount,
                c.currency,
                c.frequency,
                c.status,
                bool(c.stripe_subscription_id),
                bool(c.stripe_payment_intent_id),
                c.cancel_at_period_end,
                c.ended_at is not None,
                c.cancel_reason,
            )
            for c in Contribution.objects.select_related("supporter")
        ),
        "payments": sorted(
            (
                p.supporter.email,
                p.contribution.frequency if p.contribution else None,
                p.amount,
                p.settled_amount,
                p.settlement_currency,
                p.exchange_rate,
                p.fee,
                p.net,
                p.amount_refunded,
                p.dispute_status,
                bool(p.stripe_invoice_id),
            )
            for p in Payment.objects.select_related("supporter", "contribution")
        ),
        "payouts": sorted(
            Payout.objects.values_list("amount", "status", "automatic", "reconciliation_status")
        ),
        "emails": sorted(OutboxEmail.objects.values_list("to", "kind", "status")),
        "balance_transactions": sorted(
            (t.payout_id is not None, t.reporting_category, t.amount, t.fee, t.net)
            for t in BalanceTransaction.objects.all()
        ),
    }
