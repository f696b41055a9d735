"""Clock jobs of subscriptions and their invoices: renewals, payment retries, notices."""

import copy
from typing import Any

from .app import Sandbox
from .errors import CardDeclined
from .invoices import (
    RETRY_AFTER_DAYS,
    invoice_attempt_payment,
    invoice_create,
    invoice_draft_for,
    item_list,
)
from .schedules import schedule_phase_due
from .shapes import skeleton
from .subscriptions import (
    LIVE_STATUSES,
    add_interval,
    changed_fields,
    collection_paused,
    invoice_not_collected,
    period_end,
    schedule_period_jobs,
    subscription_cancel,
    subscription_collection_resume,
    subscription_invoice_collect,
)


def subscription_renew(sb: Sandbox, subscription_id: str) -> None:
    subscription = sb.store.get(subscription_id)
    if not subscription or subscription["status"] not in LIVE_STATUSES:
        return
    if subscription["cancel_at_period_end"] or (
        subscription["cancel_at"] and subscription["cancel_at"] <= sb.now()
    ):
        subscription_cancel(sb, subscription, reason="cancellation_requested")
        return
    # A schedule's next phase starts at this period end: the renewal bills its price.
    schedule_phase_due(sb, subscription)
    if subscription["status"] not in LIVE_STATUSES:
        return
    if subscription.get("pause_collection") and not collection_paused(sb, subscription):
        # The pause ended at this same moment: collection resumes before the renewal.
        subscription_collection_resume(sb, subscription_id)
        subscription = sb.get(subscription_id, "subscription")
    previous = copy.deepcopy(subscription)
    old_start = min(item["current_period_start"] for item in item_list(subscription))
    old_end = min(item["current_period_end"] for item in item_list(subscription))
    for item in item_list(subscription):
        recurring = item["price"]["recurring"]
        item["current_period_start"] = item["current_period_end"]
        item["current_period_end"] = add_interval(
            item["current_period_end"], recurring["interval"], recurring["interval_count"]
        )
    period = {"billing_reason": "subscription_cycle", "period_start": old_start,
              "period_end": old_end}  # fmt: skip
    if collection_paused(sb, subscription):
        # Collection paused: the period goes on, its invoice is left unpaid as asked.
        behavior = subscription["pause_collection"]["behavior"]
        invoice = invoice_draft_for(sb, subscription, **period)
        subscription["latest_invoice"] = invoice["id"]
        invoice_not_collected(sb, invoice, behavior)
    else:
        subscription_invoice_collect(sb, subscription, invoice_create(sb, subscription, **period))
    sb.save(subscription)
    schedule_period_jobs(sb, subscription)
    sb.emit(
        "customer.subscription.updated",
        subscription,
        previous_attributes=changed_fields(previous, subscription),
    )


def invoice_retry(sb: Sandbox, invoice_id: str) -> None:
    invoice = sb.store.get(invoice_id)
    if not invoice or invoice["status"] != "open":
        return
    subscription_id = invoice["parent"]["subscription_details"]["subscription"]
    subscription = sb.get(subscription_id, "subscription")
    if subscription["status"] not in LIVE_STATUSES:
        return
    previous = copy.deepcopy(subscription)
    declined = invoice_attempt_payment(
        sb, invoice, payment_method_id=subscription["default_payment_method"], at_checkout=False
    )
    if not declined:
        if subscription["latest_invoice"] == invoice["id"]:
            subscription["status"] = "active"
        sb.save(subscription)
        changes = changed_fields(previous, subscription)
        if changes:
            sb.emit("customer.subscription.updated", subscription, previous_attributes=changes)
        return
    if invoice["attempt_count"] > len(RETRY_AFTER_DAYS):
        subscription_cancel(sb, subscription, reason="payment_failed")
        return
    sb.schedule(invoice["next_payment_attempt"], "invoice.retry", invoice["id"])


def invoice_pay_confirmed(sb: Sandbox, invoice: dict[str, Any]) -> CardDeclined | None:
    """The cardholder completed 3-D Secure on the hosted invoice page: charge once more."""
    subscription_id = invoice["parent"]["subscription_details"]["subscription"]
    subscription = sb.get(subscription_id, "subscription")
    previous = copy.deepcopy(subscription)
    payment_method = sb.get(subscription["default_payment_method"], "payment_method")
    # Confirming completes 3-D Secure; a card that declines still declines.
    authenticated = payment_method["card"]["fingerprint"] == "authentication_required"
    declined = invoice_attempt_payment(
        sb, invoice, payment_method_id=payment_method["id"], at_checkout=authenticated
    )
    if declined:
        return declined
    sb.store.unschedule(invoice["id"], "invoice.retry")
    if subscription["latest_invoice"] == invoice["id"] and subscription["status"] == "past_due":
        subscription["status"] = "active"
    sb.save(subscription)
    changes = changed_fields(previous, subscription)
    if changes:
        sb.emit("customer.subscription.updated", subscription, previous_attributes=changes)
    return None


def subscription_upcoming(sb: Sandbox, subscription_id: str) -> None:
    subscription = sb.store.get(subscription_id)
    if not subscription or subscription["status"] not in LIVE_STATUSES:
        return
    if subscription["cancel_at_period_end"]:
        return
    pause = subscription.get("pause_collection")
    if pause and (pause["resumes_at"] is None or pause["resumes_at"] >= period_end(subscription)):
        return  # nothing will be charged at this renewal
    items = item_list(subscription)
    amount = sum(item["price"]["unit_amount"] * (item.get("quantity") or 1) for item in items)
    customer = sb.store.get(subscription["customer"]) or {}
    preview = skeleton(
        "invoice",
        id=f"upcoming_in_{subscription_id.removeprefix('sub_')}",
        amount_due=amount,
        amount_remaining=amount,
        billing_reason="upcoming",
        created=sb.now(),
        currency=subscription["currency"],
        customer=subscription["customer"],
        customer_email=customer.get("email"),
        customer_name=customer.get("name"),
        next_payment_attempt=min(item["current_period_end"] for item in items),
        parent={
            "type": "subscription_details",
            "quote_details": None,
            "subscription_details": {
                "subscription": subscription_id,
                "metadata": dict(subscription["metadata"]),
                "subscription_proration_date": None,
            },
        },
        period_start=min(item["current_period_start"] for item in items),
        period_end=min(item["current_period_end"] for item in items),
        status="draft",
        subtotal=amount,
        total=amount,
        metadata={},
    )
    sb.emit("invoice.upcoming", preview)
