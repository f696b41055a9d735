"""Subscription schedules: phases that change a subscription's price at a set date.

The sandbox makes schedules `from_subscription` (as the site does), lets the phases be
replaced, and releases or cancels them. When the clock reaches the end of the current phase,
the next phase's items become the subscription's; the renewal that falls due at the same
moment then bills them. After the last phase the schedule is released (`end_behavior`
`release`, Stripe's default for a schedule made from a subscription) or cancels the
subscription (`cancel`).
"""

import copy
from typing import Any

from .app import Sandbox
from .catalog import merged_metadata, plan_from_price, price_create
from .errors import InvalidRequest
from .ids import new_id
from .invoices import item_list
from .shapes import nested, skeleton
from .subscriptions import (
    LIVE_STATUSES,
    add_interval,
    changed_fields,
    subscription_cancel,
)

PHASE_JOB = "subscription_schedule.phase_end"


def phase_item(price: dict[str, Any], quantity: int = 1) -> dict[str, Any]:
    return nested(
        "subscription_schedule:phases:items",
        price=price["id"],
        plan=price["id"],
        quantity=quantity,
        metadata={},
        tax_rates=[],
        discounts=[],
    )


def phase(
    *, start: int, end: int, currency: str, items: list[dict[str, Any]], proration: str
) -> dict[str, Any]:
    return nested(
        "subscription_schedule:phases",
        start_date=start,
        end_date=end,
        currency=currency,
        items=items,
        proration_behavior=proration,
        add_invoice_items=[],
        default_tax_rates=[],
        discounts=[],
        metadata={},
        collection_method="charge_automatically",
        billing_cycle_anchor=None,
        description=None,
        trial_end=None,
    )


def current_phase_index(schedule: dict[str, Any], now: int) -> int | None:
    for index, entry in enumerate(schedule["phases"]):
        if entry["start_date"] <= now < entry["end_date"]:
            return index
    return None


def set_current_phase(sb: Sandbox, schedule: dict[str, Any]) -> None:
    index = current_phase_index(schedule, sb.now())
    if index is None:
        schedule["current_phase"] = None
        return
    current = schedule["phases"][index]
    schedule["current_phase"] = nested(
        "subscription_schedule:current_phase",
        start_date=current["start_date"],
        end_date=current["end_date"],
    )
    sb.store.unschedule(schedule["id"], PHASE_JOB)
    sb.schedule(current["end_date"], PHASE_JOB, schedule["id"])


def schedule_from_subscription(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    subscription = sb.get(params["from_subscription"], "subscription", param="from_subscription")
    if subscription["status"] not in LIVE_STATUSES:
        raise InvalidRequest(
            "You cannot migrate a subscription that is not active to a schedule.",
            param="from_subscription",
        )
    if subscription["schedule"]:
        raise InvalidRequest(
            "You cannot migrate a subscription that is already attached to a schedule: "
            f"`{subscription['schedule']}`.",
            param="from_subscription",
        )
    if subscription["cancel_at_period_end"]:
        raise InvalidRequest(
            "You cannot migrate a subscription that is set to cancel at the end of its period.",
            param="from_subscription",
        )
    items = item_list(subscription)
    now = sb.now()
    schedule = skeleton(
        "subscription_schedule",
        id=new_id("sub_sched_"),
        created=now,
        customer=subscription["customer"],
        subscription=subscription["id"],
        end_behavior="release",
        status="active",
        metadata=merged_metadata(None, params.get("metadata")),
        billing_mode=nested("subscription_schedule:billing_mode", type="classic"),
        default_settings=nested(
            "subscription_schedule:default_settings",
            billing_cycle_anchor="automatic",
            collection_method="charge_automatically",
            default_payment_method=subscription["default_payment_method"],
        ),
        phases=[
            phase(
                start=min(item["current_period_start"] for item in items),
                end=min(item["current_period_end"] for item in items),
                currency=subscription["currency"],
                items=[phase_item(item["price"], item.get("quantity") or 1) for item in items],
                proration="create_prorations",
            )
        ],
    )
    set_current_phase(sb, schedule)
    sb.save(schedule)
    sb.emit("subscription_schedule.created", schedule)
    sb.update(subscription, {"schedule": schedule["id"]}, "customer.subscription.updated")
    return schedule


def live_schedule(sb: Sandbox, schedule_id: str) -> dict[str, Any]:
    schedule = sb.get(schedule_id, "subscription_schedule")
    if schedule["status"] not in ("active", "not_started"):
        raise InvalidRequest(
            f"You cannot update a subscription schedule that is {schedule['status']}.",
            param="id",
        )
    return schedule


def phases_from_params(
    sb: Sandbox, schedule: dict[str, Any], raw_phases: list[dict[str, Any]], proration: str
) -> list[dict[str, Any]]:
    """New phases; the first must start where the current phase started, as at Stripe."""
    subscription = sb.get(schedule["subscription"], "subscription")
    current = schedule["current_phase"] or {}
    phases: list[dict[str, Any]] = []
    start = current.get("start_date") or sb.now()
    for index, raw in enumerate(raw_phases):
        param = f"phases[{index}]"
        if index == 0 and raw.get("start_date") not in (None, str(start), "now"):
            raise InvalidRequest(
                "You can not modify the start date of the current phase.",
                param=f"{param}[start_date]",
            )
        if raw.get("end_date") and raw.get("duration"):
            raise InvalidRequest(
                "You may only specify one of these parameters: duration, end_date.",
                param=f"{param}[end_date]",
            )
        items = []
        prices = []
        for item_index, raw_item in enumerate(raw.get("items") or []):
            item_param = f"{param}[items][{item_index}]"
            if raw_item.get("price"):
                price = sb.get(raw_item["price"], "price", param=f"{item_param}[price]")
            elif raw_item.get("price_data"):
                price = price_create(
                    sb, raw_item["price_data"], param_prefix=f"{item_param}[price_data]"
                )
            else:
                raise InvalidRequest("Missing required param: price.", param=f"{item_param}[price]")
            if not price.get("recurring"):
                raise InvalidRequest(
                    "The price specified is not recurring.", param=f"{item_param}[price]"
                )
            if price["currency"] != subscription["currency"]:
                raise InvalidRequest(
                    "The currency of a subscription cannot change.",
                    param=f"{item_param}[price_data][currency]",
                )
            prices.append(price)
            items.append(phase_item(price, int(raw_item.get("quantity") or 1)))
        if not items:
            raise InvalidRequest("Missing required param: items.", param=f"{param}[items]")
        if raw.get("end_date"):
            end = int(raw["end_date"])
        else:
            duration = raw.get("duration") or prices[0]["recurring"]
            end = add_interval(
                start, duration["interval"], int(duration.get("interval_count") or 1)
            )
        if end <= start:
            raise InvalidRequest(
                "The end date of a phase must be after its start date.",
                param=f"{param}[end_date]",
            )
        phases.append(
            phase(
                start=start,
                end=end,
                currency=subscription["currency"],
                items=items,
                proration=proration,
            )
        )
        start = end
    return phases


def schedule_update(sb: Sandbox, schedule: dict[str, Any], params: dict[str, Any]) -> dict:
    previous = copy.deepcopy(schedule)
    if params.get("phases"):
        proration = params.get("proration_behavior") or "create_prorations"
        schedule["phases"] = phases_from_params(sb, schedule, params["phases"], proration)
        set_current_phase(sb, schedule)
    if params.get("end_behavior"):
        schedule["end_behavior"] = params["end_behavior"]
    if "metadata" in params:
        schedule["metadata"] = merged_metadata(schedule["metadata"], params["metadata"])
    sb.save(schedule)
    changes = changed_fields(previous, schedule)
    if changes:
        sb.emit("subscription_schedule.updated", schedule, previous_attributes=changes)
    return schedule


def schedule_release(sb: Sandbox, schedule: dict[str, Any]) -> dict[str, Any]:
    subscription_id = schedule["subscription"]
    sb.store.unschedule(schedule["id"], PHASE_JOB)
    schedule.update(
        status="released",
        released_at=sb.now(),
        released_subscription=subscription_id,
        subscription=None,
        current_phase=None,
    )
    sb.save(schedule)
    sb.emit("subscription_schedule.released", schedule)
    subscription = sb.store.get(subscription_id) if subscription_id else None
    if subscription is not None:
        sb.update(subscription, {"schedule": None}, "customer.subscription.updated")
    return schedule


def schedule_cancel(sb: Sandbox, schedule: dict[str, Any]) -> dict[str, Any]:
    """Canceling a schedule cancels its subscription at once, as at Stripe."""
    subscription_id = schedule["subscription"]
    sb.store.unschedule(schedule["id"], PHASE_JOB)
    schedule.update(status="canceled", canceled_at=sb.now(), current_phase=None)
    sb.save(schedule)
    sb.emit("subscription_schedule.canceled", schedule)
    subscription = sb.store.get(subscription_id) if subscription_id else None
    if subscription is not None:
        subscription["schedule"] = None
        subscription_cancel(sb, subscription, reason="cancellation_requested")
    return schedule


def schedule_phase_due(sb: Sandbox, subscription: dict[str, Any]) -> None:
    """Start the schedule's next phase if the current one has ended (the renewal calls this
    first, so it bills the new phase's price)."""
    schedule = sb.store.get(subscription["schedule"]) if subscription["schedule"] else None
    if schedule is None or schedule["status"] != "active":
        return
    now = sb.now()
    index = current_phase_index(schedule, now)
    last_end = schedule["phases"][-1]["end_date"]
    if now >= last_end:
        if schedule["end_behavior"] == "cancel":
            schedule_cancel(sb, schedule)
        else:
            schedule_release(sb, schedule)
        return
    if index is None:
        return
    current = schedule["phases"][index]
    prices = [sb.get(item["price"], "price") for item in current["items"]]
    items = item_list(subscription)
    if [item["price"]["id"] for item in items] != [price["id"] for price in prices]:
        previous = copy.deepcopy(subscription)
        for item, price in zip(items, prices, strict=False):
            item["price"] = price
            item["plan"] = plan_from_price(price)
        sb.save(subscription)
        sb.emit(
            "customer.subscription.updated",
            subscription,
            previous_attributes=changed_fields(previous, subscription),
        )
    if (
        schedule["current_phase"] is None
        or schedule["current_phase"]["start_date"] != current["start_date"]
    ):
        previous_schedule = copy.deepcopy(schedule)
        set_current_phase(sb, schedule)
        sb.save(schedule)
        sb.emit(
            "subscription_schedule.updated",
            schedule,
            previous_attributes=changed_fields(previous_schedule, schedule),
        )


def schedule_phase_end(sb: Sandbox, schedule_id: str) -> None:
    """Clock job at the end of a phase."""
    schedule = sb.store.get(schedule_id)
    if not schedule or schedule["status"] != "active" or not schedule["subscription"]:
        return
    subscription = sb.store.get(schedule["subscription"])
    if subscription and subscription["status"] in LIVE_STATUSES:
        schedule_phase_due(sb, subscription)
