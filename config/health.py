"""`/healthz`: can this web process reach the database, Redis and a live worker?

503 "unavailable" when one of them is down. 200 "degraded" when all answer but Stripe
events or emails keep failing (subscriptions.alerts): the load balancer keeps sending
readers, and monitoring tells an operator to look at the admin.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from subscriptions.alerts import operator_alerts
from subscriptions.reports.tieout import payouts_not_tied_out

from .celery import HEARTBEAT_CACHE_KEY


def _database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        return {"ok": False, "error": error.__class__.__name__}
    return {"ok": True}


def _cache_and_worker() -> tuple[dict, dict]:
    try:
        cache.set("healthz:probe", 1, timeout=10)
        beat_at = cache.get(HEARTBEAT_CACHE_KEY)
    except Exception as error:  # noqa: BLE001 - any client error means "down"
        down = {"ok": False, "error": error.__class__.__name__}
        return down, {"ok": False, "error": "cache unreachable, heartbeat unknown"}
    if beat_at is None:
        return {"ok": True}, {"ok": False, "error": "no heartbeat yet"}
    age = round(time.time() - float(beat_at), 1)
    return {"ok": True}, {"ok": age <= settings.WORKER_HEARTBEAT_MAX_AGE, "heartbeat_age": age}


def _backlog() -> dict:
    alerts = operator_alerts()
    return {
        "ok": not alerts.any,
        "stripe_events_stuck": alerts.stripe_events,
        "emails_stuck": alerts.emails,
    }


def _payouts() -> dict:
    """Payouts whose transactions do not sum to the amount: the site still serves, but
    finance's books need a look (status "degraded")."""
    mismatches = [
        {
            "payout": m.payout.stripe_payout_id,
            "currency": m.payout.currency,
            "difference": m.difference_text,
            "transactions": [t.stripe_id for t in m.transactions],
        }
        for m in payouts_not_tied_out()
    ]
    return {"ok": not mismatches, "not_tied_out": mismatches}


@never_cache
@require_GET
def healthz(request):
    database = _database()
    redis, worker = _cache_and_worker()
    checks = {"database": database, "redis": redis, "worker": worker}
    healthy = all(check["ok"] for check in checks.values())
    if not healthy:
        return JsonResponse({"status": "unavailable", **checks}, status=503)
    backlog = _backlog()
    payouts = _payouts()
    status = "ok" if backlog["ok"] and payouts["ok"] else "degraded"
    return JsonResponse({"status": status, **checks, "backlog": backlog, "payouts": payouts})
