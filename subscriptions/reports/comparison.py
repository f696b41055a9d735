"""The comparison of our ledger with Stripe's itemized report, kept so the Reports page
shows the last result: every day for the past week (beat's `stripe-report-compare`), and
for any period finance asks for from the Reports page (run by a worker: Stripe takes a
while to write a report)."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from subscriptions import stripe_gateway as gateway
from subscriptions.models import StripeComparisonStatus, StripeReportComparison

from .books import local_date
from .ledger import Period
from .stripe_report import itemized_compare, our_itemized_rows, stripe_itemized_report

# The daily comparison covers the payouts that arrived in the seven local days before
# yesterday's end: Stripe's report data for a day is complete only some hours after it.
DAILY_DAYS = 7
FINISHED = (
    StripeComparisonStatus.AGREES,
    StripeComparisonStatus.DIFFERS,
    StripeComparisonStatus.FAILED,
)


def stripe_report_comparison_request(*, period: Period, user: Any) -> StripeReportComparison:
    """Record the request and hand it to a worker once the transaction commits."""
    from subscriptions import tasks

    comparison = StripeReportComparison.objects.create(
        start=period.start, end=period.end, currency=period.currency, requested_by=user
    )
    transaction.on_commit(lambda: tasks.stripe_report_comparison_run.delay(comparison.pk))
    return comparison


def stripe_report_comparison_run(*, comparison_id: int) -> str:
    """Ask Stripe for its report, compare, store every difference. Safe to run twice: a
    comparison already running or finished is left alone."""
    with transaction.atomic():
        comparison = StripeReportComparison.objects.select_for_update().get(pk=comparison_id)
        if comparison.status != StripeComparisonStatus.PENDING:
            return comparison.status
        comparison.status = StripeComparisonStatus.RUNNING
        comparison.save(update_fields=["status"])
    period = Period(start=comparison.start, end=comparison.end, currency=comparison.currency)
    try:
        stripes = stripe_itemized_report(period)
    except gateway.GatewayError as error:
        comparison.status = StripeComparisonStatus.FAILED
        comparison.error = f"Stripe's report could not be had: {error}"
    else:
        differences = itemized_compare(our_itemized_rows(period), stripes)
        comparison.lines_compared = len(stripes)
        comparison.differences = [
            {"transaction": d.balance_transaction_id, "column": d.column, "ours": d.ours,
             "stripes": d.stripes, "text": str(d)}
            for d in differences
        ]  # fmt: skip
        comparison.status = (
            StripeComparisonStatus.DIFFERS if differences else StripeComparisonStatus.AGREES
        )
    comparison.finished_at = timezone.now()
    comparison.save(update_fields=["status", "error", "lines_compared", "differences",
                                   "finished_at"])  # fmt: skip
    return comparison.status


def stripe_report_comparison_daily() -> str:
    """Beat's daily run: the past week of payouts in the settlement currency."""
    end = local_date(timezone.now()) - timedelta(days=1)
    comparison = StripeReportComparison.objects.create(
        start=end - timedelta(days=DAILY_DAYS),
        end=end,
        currency=settings.STRIPE_SETTLEMENT_CURRENCY,
    )
    return stripe_report_comparison_run(comparison_id=comparison.pk)


def stripe_report_comparison_latest() -> StripeReportComparison | None:
    """The last comparison that finished, for the Reports page."""
    finished = StripeReportComparison.objects.filter(status__in=FINISHED)
    return finished.order_by("-finished_at").first()


def stripe_report_comparisons_waiting() -> list[StripeReportComparison]:
    return list(
        StripeReportComparison.objects.exclude(status__in=FINISHED).order_by("-created_at")[:5]
    )
