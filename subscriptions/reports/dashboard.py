"""The staff dashboard on the admin index: recurring supporters, monthly recurring revenue,
plans started and ended, churn, failed renewals recovered and lost, one-time gifts, the last
twelve months as server-drawn SVG charts (pygal, no JavaScript) and the articles whose
appeal brought the most gifts. Computed at most every few minutes (cached)."""

import base64
import re
from collections import defaultdict
from datetime import date
from typing import Any

import pygal
from django.core.cache import cache
from django.db.models import Count, F, Sum
from django.utils import timezone

from subscriptions.models import Contribution, EmailKind, OutboxEmail, Payment
from subscriptions.models.supporters import CancelReason, ContributionStatus
from subscriptions.money import currency_decimals

from .books import local_date, local_midnight, month_of, next_month
from .ledger import major

CACHE_KEY = "finance:dashboard"
CACHE_SECONDS = 600
LIVE = [ContributionStatus.ACTIVE, ContributionStatus.PAST_DUE]


def _months_back(count: int) -> list[date]:
    month = month_of(local_date(timezone.now()))
    months = [month]
    for _ in range(count - 1):
        previous = month_of(date.fromordinal(months[-1].toordinal() - 1))
        months.append(previous)
    return list(reversed(months))


SCRIPT = re.compile(rb"<script\b.*?</script>", re.S)


def _svg(chart: Any) -> str:
    """A chart as a data: URI the page's <img> can show: pygal's interactive script (its
    config) is cut out, so nothing runs and nothing is fetched."""
    return "data:image/svg+xml;base64," + base64.b64encode(SCRIPT.sub(b"", chart.render())).decode()


def _style() -> dict[str, Any]:
    return {
        "js": [],
        "disable_xml_declaration": False,
        "width": 720,
        "height": 300,
        "legend_at_bottom": True,
        "x_label_rotation": 30,
    }


def dashboard_compute() -> dict[str, Any]:
    now = timezone.now()
    this_month = month_of(local_date(now))
    month_start, month_end = local_midnight(this_month), local_midnight(next_month(this_month))
    plans = Contribution.objects.exclude(frequency="once")
    live = plans.filter(status__in=LIVE)
    mrr: dict[str, int] = defaultdict(int)
    for line in live.values("currency", "frequency").annotate(total=Sum("amount")):
        per_month = line["total"] if line["frequency"] == "month" else line["total"] // 12
        mrr[line["currency"]] += per_month
    started = plans.filter(started_at__gte=month_start, started_at__lt=month_end).count()
    ended = plans.filter(ended_at__gte=month_start, ended_at__lt=month_end)
    active_now = live.count()
    at_start = active_now + ended.count() - started
    failed_invoices = {
        key.split(":")[0]
        for key in OutboxEmail.objects.filter(
            kind=EmailKind.PAYMENT_FAILED, created_at__gte=month_start, created_at__lt=month_end
        ).values_list("key", flat=True)
    }
    recovered = (
        Payment.objects.filter(stripe_invoice_id__in=failed_invoices)
        .values("stripe_invoice_id")
        .distinct()
        .count()
    )
    once = (
        Payment.objects.filter(
            contribution__frequency="once", paid_at__gte=month_start, paid_at__lt=month_end
        )
        .values("currency")
        .annotate(total=Sum(F("amount") - F("amount_refunded")))
    )
    top_articles = list(
        Contribution.objects.filter(source_article__isnull=False, payments__isnull=False)
        .values("source_article__headline", "source_article__slug")
        .annotate(gifts=Count("payments", distinct=True))
        .order_by("-gifts", "source_article__slug")[:10]
    )
    return {
        "as_of": now,
        "month": this_month,
        "active_recurring_supporters": live.values("supporter").distinct().count(),
        "mrr": [(c, major(v, c)) for c, v in sorted(mrr.items())],
        "plans_started": started,
        "plans_ended": ended.count(),
        "churn_percent": round(100 * ended.count() / at_start, 1) if at_start > 0 else 0.0,
        "renewals_recovered": recovered,
        "renewals_lost": ended.filter(cancel_reason=CancelReason.PAYMENT_FAILED).count(),
        "one_time": [(line["currency"], major(line["total"], line["currency"])) for line in once],
        "top_articles": top_articles,
        "charts": _charts(),
    }


def _charts() -> dict[str, str]:
    months = _months_back(12)
    start, end = local_midnight(months[0]), local_midnight(next_month(months[-1]))
    received: dict[tuple[str, date, bool], int] = defaultdict(int)
    currencies = set()
    for payment in Payment.objects.filter(paid_at__gte=start, paid_at__lt=end).values(
        "paid_at", "settled_amount", "settlement_currency", "contribution__frequency"
    ):
        month = month_of(local_date(payment["paid_at"]))
        recurring = payment["contribution__frequency"] not in (None, "once")
        currencies.add(payment["settlement_currency"])
        received[(payment["settlement_currency"], month, recurring)] += payment["settled_amount"]
    labels = [f"{m:%b %Y}" for m in months]
    gifts = pygal.StackedBar(title="Gifts received a month (settled, major units)", **_style())
    gifts.x_labels = labels
    for currency in sorted(currencies):
        for recurring, name in ((True, "recurring"), (False, "once")):
            scale = 10 ** currency_decimals(currency)
            values = [received[(currency, m, recurring)] / scale for m in months]
            gifts.add(f"{currency.upper()} {name}", values)
    plans = pygal.Bar(title="Plans started and ended a month", **_style())
    plans.x_labels = labels
    plan_rows = Contribution.objects.exclude(frequency="once")
    started = _count_by_month(
        plan_rows.filter(started_at__gte=start, started_at__lt=end), "started_at"
    )
    ended = _count_by_month(plan_rows.filter(ended_at__gte=start, ended_at__lt=end), "ended_at")
    plans.add("started", [started.get(m, 0) for m in months])
    plans.add("ended", [ended.get(m, 0) for m in months])
    return {"gifts": _svg(gifts), "plans": _svg(plans)}


def _count_by_month(rows: Any, field: str) -> dict[date, int]:
    counts: dict[date, int] = defaultdict(int)
    for moment in rows.values_list(field, flat=True):
        counts[month_of(local_date(moment))] += 1
    return counts


def dashboard_figures() -> dict[str, Any]:
    """The dashboard, from the cache when it is fresh enough."""
    figures = cache.get(CACHE_KEY)
    if figures is None:
        figures = dashboard_compute()
        cache.set(CACHE_KEY, figures, CACHE_SECONDS)
    return dict(figures)
