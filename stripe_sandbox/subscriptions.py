"""Subscriptions: create, update, cancel, and the jobs that drive their periods."""

import calendar
import copy
from datetime import UTC, datetime
from typing import Any

from .app import Sandbox
from .catalog import merged_metadata, plan_from_price, price_create
from .errors import InvalidRequest
from .forms import as_bool
from .ids import new_id
from .invoices import (
    invoice_attempt_payment,
    invoice_create,
    invoice_finalize,
    item_list,
)
from .shapes import nested, skeleton

UPCOMING_NOTICE_SECONDS = 7 * 86400
LIVE_STATUSES = ("active", "past_due", "trialing")


def add_interval(timestamp: int, interval: str, count: int = 1) -> int:
    moment = datetime.fromtimestamp(timestamp, UTC)
    if interval == "day":
        return timestamp + 86400 * count
    if interval == "week":
        return timestamp + 7 * 86400 * count
    months = count * (12 if interval == "year" else 1)
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return int(moment.replace(year=year, month=month, day=day).timestamp())


def subscription_pause(sb: Sandbox, subscription: dict[str, Any]) -> dict[str, Any]:
    """The pause endpoint: no new periods and no invoices until it resumes."""
    if subscription["status"] not in ("active", "trialing"):
        raise InvalidRequest(
            f"Only an active subscription can be paused; this one is {subscription['status']}.",
            param="id",
        )
    previous = copy.deepcopy(subscription)
    subscription["status"] = "paused"
    sb.store.unschedule(subscription["id"])
    sb.save(subscription)
    changes = changed_fields(previous, subscription)
    sb.emit("customer.subscription.paused", subscription)
    sb.emit("customer.subscription.updated", subscription, previous_attributes=changes)
    return subscription


def subscription_resume(
    sb: Sandbox, subscription: dict[str, Any], params: dict[str, Any]
) -> dict[str, Any]:
    """Resume a paused subscription: by default a new period starts now and is billed now."""
    if subscription["status"] != "paused":
        raise InvalidRequest("Only a paused subscription can be resumed.", param="id")
    previous = copy.deepcopy(subscription)
    anchor = (params.get("billing_cycle_anchor") or {}).get("type") or "now"
    subscription["status"] = "active"
    if anchor == "now" or period_end(subscription) <= sb.now():
        period_restart(sb, subscription, billing_reason="subscription_cycle")
    sb.save(subscription)
    schedule_period_jobs(sb, subscription)
    changes = changed_fields(previous, subscription)
    sb.emit("customer.subscription.resumed", subscription)
    sb.emit("customer.subscription.updated", subscription, previous_attributes=changes)
    return subscription


def subscription_item(
    sb: Sandbox, subscription_id: str, price: dict[str, Any], start: int
) -> dict[str, Any]:
    recurring = price["recurring"]
    return skeleton(
        "subscription_item",
        id=new_id("si_"),
        created=sb.now(),
        current_period_start=start,
        current_period_end=add_interval(start, recurring["interval"], recurring["interval_count"]),
        metadata={},
        plan=plan_from_price(price),
        price=price,
        quantity=1,
        subscription=subscription_id,
        tax_rates=[],
    )


def subscription_start(
    sb: Sandbox,
    *,
    customer_id: str,
    prices: list[dict[str, Any]],
    payment_method_id: str,
    metadata: dict[str, str],
    at_checkout: bool,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Create the subscription and its first invoice, and charge it.

    If that charge fails the subscription stays `incomplete`, as with Stripe's default
    `payment_behavior=allow_incomplete`.
    """
    now = sb.now()
    subscription_id = new_id("sub_")
    items = [subscription_item(sb, subscription_id, price, now) for price in prices]
    subscription = skeleton(
        "subscription",
        id=subscription_id,
        billing_cycle_anchor=now,
        created=now,
        start_date=now,
        currency=prices[0]["currency"],
        customer=customer_id,
        default_payment_method=payment_method_id,
        items={
            "object": "list",
            "data": items,
            "has_more": False,
            "total_count": len(items),
            "url": f"/v1/subscription_items?subscription={subscription_id}",
        },
        metadata=dict(metadata),
        status="incomplete",
    )
    del subscription["items"]["total_count"]
    sb.save(subscription)
    invoice = invoice_create(
        sb, subscription, billing_reason="subscription_create", period_start=now, period_end=now
    )
    subscription["latest_invoice"] = invoice["id"]
    sb.save(subscription)
    sb.emit("customer.subscription.created", subscription)
    declined = invoice_attempt_payment(
        sb, invoice, payment_method_id=payment_method_id, at_checkout=at_checkout
    )
    if not declined:
        sb.update(subscription, {"status": "active"}, "customer.subscription.updated")
        schedule_period_jobs(sb, subscription)
    return subscription, invoice


def period_end(subscription: dict[str, Any]) -> int:
    return min(item["current_period_end"] for item in item_list(subscription))


def schedule_period_jobs(sb: Sandbox, subscription: dict[str, Any]) -> None:
    sb.store.unschedule(subscription["id"], "subscription.renew")
    sb.store.unschedule(subscription["id"], "subscription.upcoming")
    end = period_end(subscription)
    sb.schedule(end, "subscription.renew", subscription["id"])
    sb.store.unschedule(subscription["id"], "subscription.end_at")
    if subscription["cancel_at"] and subscription["cancel_at"] < end:
        sb.schedule(subscription["cancel_at"], "subscription.end_at", subscription["id"])
    if end - UPCOMING_NOTICE_SECONDS > sb.now() and not subscription["cancel_at"]:
        sb.schedule(end - UPCOMING_NOTICE_SECONDS, "subscription.upcoming", subscription["id"])


def subscription_cancel(
    sb: Sandbox, subscription: dict[str, Any], *, reason: str, comment: str | None = None
) -> dict[str, Any]:
    if subscription["status"] == "canceled":
        return subscription
    now = sb.now()
    previous = copy.deepcopy(subscription)
    subscription.update(
        status="canceled",
        canceled_at=subscription["canceled_at"] or now,
        ended_at=now,
        cancellation_details=nested(
            "subscription:cancellation_details",
            reason=reason,
            comment=comment or (subscription["cancellation_details"] or {}).get("comment"),
            feedback=(subscription["cancellation_details"] or {}).get("feedback"),
        ),
    )
    sb.store.unschedule(subscription["id"])
    schedule = sb.store.get(subscription["schedule"]) if subscription["schedule"] else None
    if schedule is not None and schedule["status"] == "active":
        # The schedule ends with its subscription, as at Stripe.
        sb.store.unschedule(schedule["id"])
        schedule.update(status="canceled", canceled_at=now, current_phase=None)
        sb.save(schedule)
        sb.emit("subscription_schedule.canceled", schedule)
    sb.save(subscription)
    sb.emit(
        "customer.subscription.deleted",
        subscription,
        previous_attributes=changed_fields(previous, subscription),
    )
    return subscription


def cancel_at_from(subscription: dict[str, Any], value: Any) -> int | None:
    """`cancel_at`: a timestamp, "" to unset, or one of Stripe's named moments."""
    if value == "":
        return None
    if value in ("max_period_end", "min_period_end", "max_billed_until"):
        return period_end(subscription)
    moment = int(value)
    if moment > period_end(subscription):
        # The sandbox bills whole periods only; Stripe would prorate the last one.
        raise InvalidRequest(
            "The sandbox supports a cancel_at no later than the current period end.",
            param="cancel_at",
        )
    return moment


def cancellation_set(sb: Sandbox, subscription: dict[str, Any], cancel_at: int | None) -> None:
    """A cancellation asked for (Stripe records why at once), or withdrawn."""
    current = subscription["cancellation_details"] or {}
    subscription["cancel_at"] = cancel_at
    subscription["canceled_at"] = sb.now() if cancel_at else None
    subscription["cancellation_details"] = nested(
        "subscription:cancellation_details",
        reason="cancellation_requested" if cancel_at else None,
        comment=current.get("comment") if cancel_at else None,
        feedback=current.get("feedback") if cancel_at else None,
    )


def subscription_end_at(sb: Sandbox, subscription_id: str) -> None:
    """Clock job at a subscription's `cancel_at`."""
    subscription = sb.store.get(subscription_id)
    if (
        subscription
        and subscription["status"] in LIVE_STATUSES
        and subscription["cancel_at"]
        and subscription["cancel_at"] <= sb.now()
    ):
        subscription_cancel(sb, subscription, reason="cancellation_requested")


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {key: before.get(key) for key in after if before.get(key) != after[key]}


def subscription_update(
    sb: Sandbox, subscription: dict[str, Any], params: dict[str, Any]
) -> dict[str, Any]:
    if subscription["status"] == "canceled":
        raise InvalidRequest(
            "A canceled subscription can only update its cancellation_details and metadata.",
            param="items" if "items" in params else None,
        )
    if subscription["schedule"] and ("cancel_at_period_end" in params or "cancel_at" in params):
        raise InvalidRequest(
            f"The subscription is managed by the subscription schedule "
            f"`{subscription['schedule']}`, and updating any cancelation behavior directly is "
            "not allowed. Please update the schedule instead.",
            param="cancel_at_period_end" if "cancel_at_period_end" in params else "cancel_at",
        )
    previous = copy.deepcopy(subscription)
    restart_period = False
    for index, item_params in enumerate(params.get("items") or []):
        restart_period |= item_update(sb, subscription, index, item_params)
    if "cancel_at_period_end" in params:
        cancel = as_bool(params["cancel_at_period_end"])
        subscription["cancel_at_period_end"] = cancel
        cancellation_set(sb, subscription, period_end(subscription) if cancel else None)
    if "cancel_at" in params:
        subscription["cancel_at_period_end"] = False
        cancellation_set(sb, subscription, cancel_at_from(subscription, params["cancel_at"]))
    if params.get("default_payment_method"):
        payment_method = sb.get(
            params["default_payment_method"], "payment_method", param="default_payment_method"
        )
        subscription["default_payment_method"] = payment_method["id"]
    if "metadata" in params:
        subscription["metadata"] = merged_metadata(subscription["metadata"], params["metadata"])
    if "pause_collection" in params:
        pause_collection_set(sb, subscription, params["pause_collection"])
    details = params.get("cancellation_details")
    if isinstance(details, dict):
        current = subscription["cancellation_details"] or {}
        subscription["cancellation_details"] = nested(
            "subscription:cancellation_details",
            reason=current.get("reason"),
            comment=details.get("comment", current.get("comment")) or None,
            feedback=details.get("feedback", current.get("feedback")) or None,
        )
    if restart_period:
        # An interval switch starts a new billing period now and bills it at once, as Stripe does.
        period_restart(sb, subscription, billing_reason="subscription_update")
    sb.save(subscription)
    schedule_period_jobs(sb, subscription)
    changes = changed_fields(previous, subscription)
    if changes:
        sb.emit("customer.subscription.updated", subscription, previous_attributes=changes)
    return subscription


PAUSE_BEHAVIORS = ("keep_as_draft", "mark_uncollectible", "void")


def pause_collection_set(sb: Sandbox, subscription: dict[str, Any], value: Any) -> None:
    """`pause_collection`: "" resumes collection now; a hash pauses it (the periods go on,
    their invoices are not paid), until `resumes_at` if given."""
    sb.store.unschedule(subscription["id"], "subscription.resume_collection")
    if value == "":
        subscription["pause_collection"] = None
        return
    behavior = value.get("behavior")
    if behavior not in PAUSE_BEHAVIORS:
        raise InvalidRequest(
            f"Invalid pause_collection[behavior]: must be one of {', '.join(PAUSE_BEHAVIORS)}",
            param="pause_collection[behavior]",
        )
    resumes_at = value.get("resumes_at")
    if resumes_at is not None:
        resumes_at = int(resumes_at)
        if resumes_at <= sb.now():
            raise InvalidRequest(
                "pause_collection[resumes_at] must be in the future.",
                param="pause_collection[resumes_at]",
            )
        # Collection resumes *after* resumes_at: a renewal at that very second is skipped.
        sb.schedule(resumes_at + 1, "subscription.resume_collection", subscription["id"])
    subscription["pause_collection"] = nested(
        "subscription:pause_collection", behavior=behavior, resumes_at=resumes_at
    )


def collection_paused(sb: Sandbox, subscription: dict[str, Any]) -> bool:
    pause = subscription.get("pause_collection")
    return bool(pause) and (pause["resumes_at"] is None or pause["resumes_at"] >= sb.now())


def subscription_collection_resume(sb: Sandbox, subscription_id: str) -> None:
    """Clock job at `pause_collection.resumes_at`: collection starts again, as at Stripe."""
    subscription = sb.store.get(subscription_id)
    pause = subscription and subscription.get("pause_collection")
    if not pause or pause["resumes_at"] is None or pause["resumes_at"] >= sb.now():
        return
    previous = copy.deepcopy(subscription)
    subscription["pause_collection"] = None
    sb.save(subscription)
    sb.emit(
        "customer.subscription.updated",
        subscription,
        previous_attributes=changed_fields(previous, subscription),
    )


def invoice_not_collected(sb: Sandbox, invoice: dict[str, Any], behavior: str) -> None:
    """A paused subscription's renewal invoice, left as its `pause_collection` says."""
    if behavior == "keep_as_draft":
        return
    invoice = invoice_finalize(sb, invoice)
    key = "voided_at" if behavior == "void" else "marked_uncollectible_at"
    invoice["status"] = "void" if behavior == "void" else "uncollectible"
    invoice["status_transitions"][key] = sb.now()
    sb.save(invoice)
    sb.emit("invoice.voided" if behavior == "void" else "invoice.marked_uncollectible", invoice)


def item_update(
    sb: Sandbox, subscription: dict[str, Any], index: int, item_params: dict[str, Any]
) -> bool:
    """Apply one `items[n]` entry; return True when the billing interval changes."""
    param = f"items[{index}]"
    items = item_list(subscription)
    item = next((i for i in items if i["id"] == item_params.get("id")), None)
    if item_params.get("id") and item is None:
        raise InvalidRequest(
            f"Invalid subscription item: {item_params['id']}", param=f"{param}[id]"
        )
    if item_params.get("price"):
        price = sb.get(item_params["price"], "price", param=f"{param}[price]")
    elif item_params.get("price_data"):
        price = price_create(sb, item_params["price_data"], param_prefix=f"{param}[price_data]")
    elif item is not None:
        if item_params.get("metadata") is not None:
            item["metadata"] = merged_metadata(item["metadata"], item_params["metadata"])
        return False
    else:
        raise InvalidRequest("Missing required param: price.", param=f"{param}[price]")
    if not price.get("recurring"):
        raise InvalidRequest(
            "The price specified is not recurring.", param=f"{param}[price_data][recurring]"
        )
    if price["currency"] != subscription["currency"]:
        raise InvalidRequest(
            "The currency of a subscription cannot change.", param=f"{param}[price_data][currency]"
        )
    if item is None:
        raise InvalidRequest("Adding items is not supported by the sandbox.", param=param)
    old_interval = item["price"]["recurring"]
    item["price"] = price
    item["plan"] = plan_from_price(price)
    if item_params.get("quantity"):
        item["quantity"] = int(item_params["quantity"])
    new_interval = price["recurring"]
    return (old_interval["interval"], old_interval["interval_count"]) != (
        new_interval["interval"],
        new_interval["interval_count"],
    )


def subscription_invoice_collect(
    sb: Sandbox, subscription: dict[str, Any], invoice: dict[str, Any]
) -> None:
    """Charge a subscription's new invoice; a decline makes it past_due and books a retry."""
    subscription["latest_invoice"] = invoice["id"]
    declined = invoice_attempt_payment(
        sb, invoice, payment_method_id=subscription["default_payment_method"], at_checkout=False
    )
    if declined:
        subscription["status"] = "past_due"
        sb.schedule(invoice["next_payment_attempt"], "invoice.retry", invoice["id"])


def period_restart(sb: Sandbox, subscription: dict[str, Any], *, billing_reason: str) -> None:
    """Start a new billing period now and bill it at once (a resume, an interval switch)."""
    now = sb.now()
    for item in item_list(subscription):
        recurring = item["price"]["recurring"]
        item["current_period_start"] = now
        item["current_period_end"] = add_interval(
            now, recurring["interval"], recurring["interval_count"]
        )
    subscription["billing_cycle_anchor"] = now
    invoice = invoice_create(
        sb, subscription, billing_reason=billing_reason, period_start=now, period_end=now
    )
    subscription_invoice_collect(sb, subscription, invoice)
