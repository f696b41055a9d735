"""What we hold about one supporter: the export a privacy request answers with, and the
Stripe objects (and so the stored events) that belong to them."""

import json
from datetime import datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast

from .models import AuditEntry, Contribution, OutboxEmail, Payment, StripeEvent, Supporter

EXPORT_FORMAT = "newsroom-supporter-export/1"


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def supporter_stripe_object_ids(*, supporter: Supporter) -> set[str]:
    """Every Stripe id our rows link to this supporter: customers, subscriptions,
    checkout sessions, payment intents, charges, invoices, balance transactions, disputes."""
    ids: set[str] = set()
    for plan in Contribution.objects.filter(supporter=supporter).values_list(
        "stripe_customer_id",
        "stripe_checkout_session_id",
        "stripe_subscription_id",
        "stripe_payment_intent_id",
    ):
        ids.update(value for value in plan if value)
    for payment in Payment.objects.filter(supporter=supporter).values_list(
        "stripe_charge_id",
        "stripe_payment_intent_id",
        "stripe_invoice_id",
        "stripe_balance_transaction_id",
        "stripe_dispute_id",
    ):
        ids.update(value for value in payment if value)
    return ids


def supporter_stripe_events(*, supporter: Supporter) -> QuerySet[StripeEvent]:
    """Every stored event about the supporter: about one of their objects, or naming one
    of their customers or their email address anywhere in its payload (a payment method
    attached to their customer, say). Reads every payload: for privacy requests only."""
    object_ids = supporter_stripe_object_ids(supporter=supporter)
    customer_ids = set(
        Contribution.objects.filter(supporter=supporter)
        .exclude(stripe_customer_id="")
        .values_list("stripe_customer_id", flat=True)
    )
    mentions = Q(payload_text__icontains=f'"{supporter.email}"')
    for customer_id in customer_ids:
        mentions |= Q(payload_text__contains=f'"{customer_id}"')
    return (
        StripeEvent.objects.annotate(payload_text=Cast("payload", TextField()))
        .filter(Q(object_id__in=object_ids) | mentions)
        .order_by("received_at")
    )


def object_belongs_to_erased_supporter(object_id: str) -> bool:
    """Whether a Stripe object is one of an erased supporter's (its later events are then
    stored without their payload)."""
    if not object_id:
        return False
    erased = Q(supporter__erased_at__isnull=False)
    contributions = Contribution.objects.filter(
        erased,
        Q(stripe_customer_id=object_id)
        | Q(stripe_subscription_id=object_id)
        | Q(stripe_payment_intent_id=object_id)
        | Q(stripe_checkout_session_id=object_id),
    )
    payments = Payment.objects.filter(
        erased,
        Q(stripe_charge_id=object_id)
        | Q(stripe_payment_intent_id=object_id)
        | Q(stripe_invoice_id=object_id)
        | Q(stripe_dispute_id=object_id),
    )
    # One query, not two: every processed event asks.
    return contributions.values("pk").union(payments.values("pk"), all=True).exists()


def supporter_export(*, supporter: Supporter) -> dict[str, Any]:
    """Everything we hold about the supporter, as JSON-ready data."""
    contributions = Contribution.objects.filter(supporter=supporter).order_by("created_at")
    payments = Payment.objects.filter(supporter=supporter).order_by("paid_at")
    emails = OutboxEmail.objects.filter(supporter=supporter).order_by("created_at")
    audit = AuditEntry.objects.filter(supporter=supporter).order_by("created_at", "id")
    return {
        "format": EXPORT_FORMAT,
        "supporter": {
            "email": supporter.email,
            "name": supporter.name,
            "created_at": _when(supporter.created_at),
            "reminders_unsubscribed_at": _when(supporter.reminders_unsubscribed_at),
            "email_undeliverable_at": _when(supporter.email_undeliverable_at),
            "email_undeliverable_reason": supporter.email_undeliverable_reason,
            "erased_at": _when(supporter.erased_at),
        },
        "contributions": [
            {
                "id": str(contribution.public_id),
                "amount": contribution.amount,
                "currency": contribution.currency,
                "frequency": contribution.frequency,
                "status": contribution.status,
                "covers_fees": contribution.covers_fees,
                "covered_fee": contribution.covered_fee,
                "card": {
                    "brand": contribution.card_brand,
                    "last4": contribution.card_last4,
                    "exp_month": contribution.card_exp_month,
                    "exp_year": contribution.card_exp_year,
                },
                "cancel_at_period_end": contribution.cancel_at_period_end,
                "cancel_reason": contribution.cancel_reason,
                "cancel_reason_detail": contribution.cancel_reason_detail,
                "created_at": _when(contribution.created_at),
                "started_at": _when(contribution.started_at),
                "current_period_end": _when(contribution.current_period_end),
                "ended_at": _when(contribution.ended_at),
                "stripe_customer_id": contribution.stripe_customer_id,
                "stripe_subscription_id": contribution.stripe_subscription_id,
            }
            for contribution in contributions
        ],
        "payments": [
            {
                "paid_at": _when(payment.paid_at),
                "amount": payment.amount,
                "currency": payment.currency,
                "fee": payment.fee,
                "amount_refunded": payment.amount_refunded,
                "dispute_status": payment.dispute_status,
                "receipt_number": payment.receipt_number,
                "stripe_charge_id": payment.stripe_charge_id,
            }
            for payment in payments
        ],
        "emails": [
            {
                "kind": email.kind,
                "to": email.to,
                "subject": email.subject,
                "status": email.status,
                "created_at": _when(email.created_at),
                "sent_at": _when(email.sent_at),
                "text": email.text,
                "html": email.html,
            }
            for email in emails
        ],
        "stripe_event_ids": list(
            supporter_stripe_events(supporter=supporter).values_list("stripe_id", flat=True)
        ),
        "staff_actions": [
            {"action": entry.action_label, "at": _when(entry.created_at), "reason": entry.reason}
            for entry in audit
        ],
    }


def export_as_json(data: dict[str, Any]) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)
