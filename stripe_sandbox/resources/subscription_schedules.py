"""Subscription schedules: create from a subscription, update phases, release, cancel."""

from typing import Any

from ..app import Sandbox
from ..errors import InvalidRequest
from ..expand import answer
from ..registry import Resource, Route
from ..schedules import (
    live_schedule,
    schedule_cancel,
    schedule_from_subscription,
    schedule_phase_end,
    schedule_release,
    schedule_update,
)


def schedules_create(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    if not params.get("from_subscription"):
        raise InvalidRequest(
            "The sandbox makes subscription schedules only from an existing subscription: "
            "pass from_subscription.",
            param="from_subscription",
        )
    if params.get("phases") or params.get("customer"):
        raise InvalidRequest(
            "You cannot set `phases` or `customer` when creating a schedule from a "
            "subscription; update the schedule afterwards.",
            param="phases" if params.get("phases") else "customer",
        )
    return answer(sb, params, schedule_from_subscription(sb, params))


def schedules_update(sb: Sandbox, params: dict[str, Any], schedule_id: str) -> dict[str, Any]:
    return answer(sb, params, schedule_update(sb, live_schedule(sb, schedule_id), params))


def schedules_release(sb: Sandbox, params: dict[str, Any], schedule_id: str) -> dict[str, Any]:
    return answer(sb, params, schedule_release(sb, live_schedule(sb, schedule_id)))


def schedules_cancel(sb: Sandbox, params: dict[str, Any], schedule_id: str) -> dict[str, Any]:
    return answer(sb, params, schedule_cancel(sb, live_schedule(sb, schedule_id)))


RESOURCES = (
    Resource(
        "subscription_schedule",
        prefix="sub_sched_",
        path="subscription_schedules",
        links={"customer": "customer", "subscription": "subscription"},
        routes=(
            Route("POST", "/v1/subscription_schedules", schedules_create),
            Route("POST", "/v1/subscription_schedules/{id}", schedules_update),
            Route("POST", "/v1/subscription_schedules/{id}/release", schedules_release),
            Route("POST", "/v1/subscription_schedules/{id}/cancel", schedules_cancel),
        ),
        jobs={"phase_end": schedule_phase_end},
        nested=(
            "subscription_schedule:billing_mode",
            "subscription_schedule:current_phase",
            "subscription_schedule:default_settings",
            "subscription_schedule:phases",
            "subscription_schedule:phases:items",
        ),
    ),
)
