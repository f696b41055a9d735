"""Reads for supporter care: find a supporter by any Stripe id, and one timeline of
everything that happened to them, newest first."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils.text import Truncator

from subscriptions.money import money_format

from .models import (
    AuditEntry,
    ChangedBy,
    Contribution,
    ContributionChange,
    OutboxEmail,
    Payment,
    RefundRequest,
    StripeEvent,
    Supporter,
)

# Each kind of source row is cut at this many, so a supporter of twenty years still
# opens in one short page of queries; the newest are kept.
TIMELINE_LIMIT = 200

FAILED_EVENT_TYPES = {
    "invoice.payment_failed",
    "payment_intent.payment_failed",
    "checkout.session.async_payment_failed",
    "charge.failed",
}

_DASHBOARD_PATHS = {
    "cus_": "customers",
    "sub_": "subscriptions",
    "in_": "invoices",
    "ch_": "payments",
    "py_": "payments",
    "pi_": "payments",
    "evt_": "events",
    "re_": "refunds",
    "dp_": "disputes",
    "du_": "disputes",
    "po_": "payouts",
}


def stripe_dashboard_url(object_id: str) -> str:
    """The object in Stripe's dashboard (its test mode for a test key), or "" if unknown."""
    prefix = object_id.split("_", 1)[0] + "_" if "_" in object_id else ""
    path = _DASHBOARD_PATHS.get(prefix)
    if not object_id or path is None:
        return ""
    mode = "test/" if settings.STRIPE_SECRET_KEY.startswith("sk_test_") else ""
    return f"https://dashboard.stripe.com/{mode}{path}/{object_id}"


def supporters_matching_stripe_id(text: str) -> Q | None:
    """A filter for the supporter(s) a Stripe id belongs to, or None if it is not one.

    Each branch is one lookup on an indexed column, however many supporters there are.
    """
    text = text.strip()
    prefix = text.split("_", 1)[0] + "_" if "_" in text else ""
    by_contribution = {
        "cus_": "stripe_customer_id",
        "sub_": "stripe_subscription_id",
        "cs_": "stripe_checkout_session_id",
    }
    by_payment = {"ch_": "stripe_charge_id", "py_": "stripe_charge_id", "in_": "stripe_invoice_id"}
    if prefix in by_contribution:
        field = by_contribution[prefix]
        return Q(pk__in=Contribution.objects.filter(**{field: text}).values("supporter_id"))
    if prefix in by_payment:
        field = by_payment[prefix]
        return Q(pk__in=Payment.objects.filter(**{field: text}).values("supporter_id"))
    if prefix == "pi_":
        return Q(
            pk__in=Payment.objects.filter(stripe_payment_intent_id=text).values("supporter_id")
        ) | Q(
            pk__in=Contribution.objects.filter(stripe_payment_intent_id=text).values("supporter_id")
        )
    if prefix == "evt_":
        event = StripeEvent.objects.filter(stripe_id=text).values("object_id").first()
        about = event["object_id"] if event else ""
        if not about or about.startswith("evt_"):
            return Q(pk__in=[])
        return supporters_matching_stripe_id(about) or Q(pk__in=[])
    return None


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str
    text: str
    link: str = ""
    stripe_url: str = ""
    failed: bool = False


def _money(amount: int, currency: str) -> str:
    return money_format(amount, currency=currency, trim_zero_cents=False)


def _stripe_ids(contributions: list[Contribution], payments: list[Payment]) -> set[str]:
    ids: set[str] = set()
    for plan in contributions:
        ids.update(
            value
            for value in (
                plan.stripe_customer_id,
                plan.stripe_subscription_id,
                plan.stripe_payment_intent_id,
                plan.stripe_checkout_session_id,
            )
            if value
        )
    for payment in payments:
        ids.update(
            value
            for value in (
                payment.stripe_charge_id,
                payment.stripe_invoice_id,
                payment.stripe_payment_intent_id,
                payment.stripe_dispute_id,
            )
            if value
        )
    return ids


def _admin(model: str, pk: int) -> str:
    return reverse(f"admin:subscriptions_{model}_change", args=[pk])


def _event_entries(ids: set[str]) -> list[TimelineEntry]:
    customers = {stripe_id for stripe_id in ids if stripe_id.startswith("cus_")}
    events = (
        StripeEvent.objects.filter(Q(object_id__in=ids) | Q(customer_id__in=customers))
        .order_by("-stripe_created_at")
        .only("pk", "stripe_id", "type", "object_id", "stripe_created_at")[:TIMELINE_LIMIT]
    )
    return [
        TimelineEntry(
            at=event.stripe_created_at,
            kind="Stripe",
            text=f"{event.type} ({event.object_id})",
            link=_admin("stripeevent", event.pk),
            stripe_url=stripe_dashboard_url(event.stripe_id),
            failed=event.type in FAILED_EVENT_TYPES,
        )
        for event in events
    ]


def _payment_entries(payments: list[Payment]) -> list[TimelineEntry]:
    entries = []
    for payment in payments:
        text = f"Paid {_money(payment.amount, payment.currency)}"
        if payment.receipt_number:
            text += f", receipt {payment.receipt_number}"
        if payment.amount_refunded:
            text += f"; refunded {_money(payment.amount_refunded, payment.currency)} so far"
        entries.append(
            TimelineEntry(
                at=payment.paid_at,
                kind="Payment",
                text=text,
                link=_admin("payment", payment.pk),
                stripe_url=stripe_dashboard_url(payment.stripe_charge_id),
            )
        )
    return entries


_FIELD_WORDS = {
    "amount": "amount",
    "frequency": "frequency",
    "status": "state",
    "cancel_at_period_end": "ends at period end",
    "collection_pause": "payments",
}


def _change_entries(supporter: Supporter) -> list[TimelineEntry]:
    changes = (
        ContributionChange.objects.filter(supporter=supporter)
        .select_related("contribution", "staff")
        .order_by("-created_at")[:TIMELINE_LIMIT]
    )
    entries = []
    for change in changes:
        contribution = change.contribution
        before, after = change.before, change.after
        if change.field == "amount":
            before = _money(int(before), contribution.currency) if before.isdigit() else before
            after = _money(int(after), contribution.currency) if after.isdigit() else after
        who = change.get_changed_by_display()
        if change.changed_by == ChangedBy.STAFF and change.staff is not None:
            who = f"staff ({change.staff.get_username()})"
        why = ""
        if change.reason:
            why = f", because: {change.get_reason_display()}"
            if change.reason_detail:
                why += f" (“{Truncator(change.reason_detail).chars(200)}”)"
        entries.append(
            TimelineEntry(
                at=change.created_at,
                kind="Plan change",
                text=f"{_FIELD_WORDS.get(change.field, change.field)}: {before} → {after}, "
                f"by {who}{why}",
                link=_admin("contribution", contribution.pk),
                stripe_url=stripe_dashboard_url(contribution.stripe_subscription_id or ""),
            )
        )
    return entries


def _email_entries(supporter: Supporter) -> list[TimelineEntry]:
    emails = (
        OutboxEmail.objects.filter(supporter=supporter)
        .order_by("-created_at")
        .only("pk", "kind", "subject", "status", "created_at", "sent_at")[:TIMELINE_LIMIT]
    )
    return [
        TimelineEntry(
            at=email.created_at,
            kind="Email",
            text=f"{email.get_kind_display()}: “{email.subject}” "
            f"({email.get_status_display().lower()})",
            link=reverse("admin:subscriptions_outboxemail_preview", args=[email.pk]),
            failed=email.status == "failed",
        )
        for email in emails
    ]


def _audit_entries(supporter: Supporter) -> list[TimelineEntry]:
    entries = AuditEntry.objects.filter(supporter=supporter).order_by("-created_at")
    return [
        TimelineEntry(
            at=entry.created_at,
            kind="Staff action",
            text=f"{entry.action_label} by {entry.actor_username or 'system'}"
            + (f": {entry.reason}" if entry.reason else ""),
            link=reverse("admin:subscriptions_auditentry_change", args=[entry.pk]),
        )
        for entry in entries[:TIMELINE_LIMIT]
    ]


def _refund_request_entries(supporter: Supporter) -> list[TimelineEntry]:
    requests = RefundRequest.objects.filter(supporter=supporter).select_related("requested_by")
    return [
        TimelineEntry(
            at=request.requested_at,
            kind="Refund request",
            text=f"{_money(request.amount, request.currency)} asked by "
            f"{request.requested_by.get_username()}: {request.get_status_display().lower()}",
            link=_admin("refundrequest", request.pk),
        )
        for request in requests.order_by("-requested_at")[:TIMELINE_LIMIT]
    ]


def supporter_timeline(
    *,
    supporter: Supporter,
    contributions: list[Contribution] | None = None,
    payments: list[Payment] | None = None,
) -> list[TimelineEntry]:
    """Stripe events, payments, plan changes, emails, staff actions: newest first.

    The supporter's plans and payments may be passed in when the caller has read them.
    """
    if contributions is None:
        contributions = list(supporter.contributions.order_by("-created_at")[:TIMELINE_LIMIT])
    if payments is None:
        payments = list(supporter.payments.order_by("-paid_at")[:TIMELINE_LIMIT])
    entries = [
        *_event_entries(_stripe_ids(contributions, payments)),
        *_payment_entries(payments),
        *_change_entries(supporter),
        *_email_entries(supporter),
        *_audit_entries(supporter),
        *_refund_request_entries(supporter),
    ]
    return sorted(entries, key=lambda entry: entry.at, reverse=True)
