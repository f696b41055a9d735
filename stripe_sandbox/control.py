"""The `/_sandbox/...` control API (JSON) used by tests, demos and operators."""

import re
import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from .app import Sandbox
from .clock import MAX_ADVANCE_DAYS, clock_advance
from .errors import InvalidRequest, RouteMissing
from .expand import list_object
from .payouts import payout_fail, payout_reconcile, payouts_create
from .resources.webhook_endpoints import endpoint_save
from .settlement import dispute_close, dispute_open
from .webhooks import Chaos

ControlHandler = Callable[..., dict[str, Any] | list[Any]]
MAX_WAIT_SECONDS = 120
MAX_OUTAGE_SECONDS = 3600
OUTAGE_STATUSES = (500, 502, 503, 504)


def reset(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    sb.store.wipe()
    return {"reset": True}


def clock_state(sb: Sandbox) -> dict[str, Any]:
    now = sb.now()
    return {
        "now": now,
        "iso": datetime.fromtimestamp(now, UTC).isoformat(),
        "offset_seconds": sb.clock_offset(),
    }


def clock_get(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    return clock_state(sb)


def clock_post(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    try:
        days = float(params.get("days") or 0)
        seconds = int(days * 86400) + int(params.get("seconds") or 0)
    except (TypeError, ValueError):
        raise InvalidRequest("days must be a number.", param="days") from None
    if seconds <= 0 or days > MAX_ADVANCE_DAYS:
        raise InvalidRequest(
            f"Give days (or seconds) > 0, at most {MAX_ADVANCE_DAYS} days.", param="days"
        )
    result = clock_advance(sb, seconds)
    return clock_state(sb) | {"jobs_run": result["jobs_run"]}


def charge_dispute(sb: Sandbox, params: dict[str, Any], charge_id: str) -> dict[str, Any]:
    dispute = dispute_open(sb, charge_id, reason=params.get("reason") or "fraudulent")
    if params.get("outcome"):
        dispute = dispute_close(sb, dispute["id"], params["outcome"])
    return dispute


def dispute_close_route(sb: Sandbox, params: dict[str, Any], dispute_id: str) -> dict:
    return dispute_close(sb, dispute_id, str(params.get("outcome") or ""))


def payouts(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    return list_object(payouts_create(sb), "/_sandbox/payouts")


def payout_reconcile_route(sb: Sandbox, params: dict[str, Any], payout_id: str) -> dict:
    return payout_reconcile(sb, payout_id)


def payout_fail_route(sb: Sandbox, params: dict[str, Any], payout_id: str) -> dict:
    return payout_fail(sb, payout_id, str(params.get("failure_code") or "account_closed"))


def endpoints_list(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    return {"data": sb.dispatcher.endpoints()}


def endpoints_upsert(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    url = params.get("url")
    if not url or not str(url).startswith(("http://", "https://")):
        raise InvalidRequest("Give an http(s) url.", param="url")
    return endpoint_save(sb, url=str(url), secret=params.get("secret") or None)


def chaos_get(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    return asdict(sb.dispatcher.chaos)


def chaos_post(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    try:
        chaos = Chaos.from_params(params)
    except ValueError as error:
        raise InvalidRequest(str(error), param="chaos") from None
    return sb.dispatcher.chaos_set(chaos)


def outage_state(sb: Sandbox) -> dict[str, Any]:
    left = sb.outage_seconds_left()
    return {"on": left > 0, "seconds_left": round(left, 3), "status": sb.outage_status}


def outage_get(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    return outage_state(sb)


def outage_post(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    try:
        seconds = float(params.get("seconds") or 0)
        status = int(params.get("status") or 500)
    except (TypeError, ValueError):
        raise InvalidRequest("seconds is a number, status an integer.", param="seconds") from None
    if not 0 <= seconds <= MAX_OUTAGE_SECONDS:
        raise InvalidRequest(
            f"seconds is between 0 (ends an outage) and {MAX_OUTAGE_SECONDS}.", param="seconds"
        )
    if status not in OUTAGE_STATUSES:
        statuses = ", ".join(map(str, OUTAGE_STATUSES))
        raise InvalidRequest(f"status is one of {statuses}.", param="status")
    sb.outage_status = status
    sb.outage_until = time.time() + seconds
    return outage_state(sb)


# The fault scripts read every attempt of a 10,000-event run (about 13,000 with copies).
MAX_DELIVERIES_LISTED = 100_000


def deliveries(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    limit = min(int(params.get("limit") or 1000), MAX_DELIVERIES_LISTED)
    return {"data": sb.dispatcher.attempts(limit), "counts": sb.dispatcher.counts()}


def deliveries_wait(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    timeout = min(float(params.get("timeout") or 10), MAX_WAIT_SECONDS)
    return sb.dispatcher.wait_idle(timeout)


# Handlers marked True run outside the store lock (they wait on the dispatcher).
CONTROL_ROUTES: list[tuple[str, re.Pattern[str], ControlHandler, bool]] = [
    (method, re.compile(pattern), handler, unlocked)
    for method, pattern, handler, unlocked in [
        ("POST", r"/_sandbox/reset", reset, False),
        ("GET", r"/_sandbox/clock", clock_get, False),
        ("POST", r"/_sandbox/clock/advance", clock_post, False),
        ("POST", r"/_sandbox/charges/([^/]+)/dispute", charge_dispute, False),
        ("POST", r"/_sandbox/disputes/([^/]+)/close", dispute_close_route, False),
        ("POST", r"/_sandbox/payouts", payouts, False),
        ("POST", r"/_sandbox/payouts/([^/]+)/reconcile", payout_reconcile_route, False),
        ("POST", r"/_sandbox/payouts/([^/]+)/fail", payout_fail_route, False),
        ("GET", r"/_sandbox/webhook_endpoints", endpoints_list, False),
        ("POST", r"/_sandbox/webhook_endpoints", endpoints_upsert, False),
        ("GET", r"/_sandbox/deliveries", deliveries, False),
        ("GET", r"/_sandbox/chaos", chaos_get, False),
        ("POST", r"/_sandbox/chaos", chaos_post, False),
        ("POST", r"/_sandbox/deliveries/wait", deliveries_wait, True),
        ("GET", r"/_sandbox/outage", outage_get, False),
        ("POST", r"/_sandbox/outage", outage_post, False),
    ]
]


def control_route(method: str, path: str) -> tuple[ControlHandler, tuple[str, ...], bool]:
    for route_method, pattern, handler, unlocked in CONTROL_ROUTES:
        match = pattern.fullmatch(path)
        if match and route_method == method:
            return handler, match.groups(), unlocked
    raise RouteMissing(method, path)
