"""The comparison of our ledger with Stripe's itemized report: scheduled daily by beat,
asked for by Finance from the Reports page (run by a worker), and its last result, every
difference listed, shown on the Reports page."""

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from config.celery import app
from subscriptions.models import AuditEntry, BalanceTransaction, StripeReportComparison
from subscriptions.reports.books import local_date
from subscriptions.reports.comparison import stripe_report_comparison_daily
from subscriptions.roles import AUDITOR, FINANCE, SUPPORTER_CARE
from tests.staff import staff_member


def _sandbox_today(site):
    now = datetime.fromtimestamp(site.sandbox.control("GET", "/_sandbox/clock")["now"], tz=UTC)
    return local_date(now)


def _paid_out(site) -> None:
    """A gift, a payout of it, and Stripe's reconciliation of that payout."""
    site.give(amount="30", frequency="once", currency="eur", email="euro@example.org")
    site.settle()
    site.advance(days=3)
    site.sandbox.control("POST", "/_sandbox/payouts")
    site.settle()
    site.sandbox.control("POST", "/_sandbox/clock/advance", {"seconds": 3600})
    site.settle()


def _compare(client, site) -> StripeReportComparison:
    today = _sandbox_today(site)
    response = client.post(
        "/admin/reports/compare/",
        {
            "start": (today - timedelta(days=10)).isoformat(),
            "end": (today + timedelta(days=2)).isoformat(),
            "currency": "EUR",
        },
    )
    assert response.status_code == 302
    return StripeReportComparison.objects.latest("created_at")


def test_finance_compares_with_stripe_now_and_the_reports_page_lists_each_difference(site, client):
    _paid_out(site)
    client.force_login(staff_member(username="fin", password="x", role=FINANCE))

    comparison = _compare(client, site)

    assert comparison.status == "agrees"
    assert comparison.lines_compared == 1  # the gift's charge, paid out
    assert comparison.differences == []
    assert comparison.requested_by.username == "fin"
    page = client.get("/admin/reports/").content.decode()
    assert "Agrees with Stripe" in page
    assert "0 differences" in page
    assert AuditEntry.objects.filter(action="finance.stripe_report_compared").count() == 1

    charge_row = BalanceTransaction.objects.get(reporting_category="charge")
    BalanceTransaction.objects.filter(pk=charge_row.pk).update(card_country="ZZ")
    comparison = _compare(client, site)

    assert comparison.status == "differs"
    assert [(d["transaction"], d["column"]) for d in comparison.differences] == [
        (charge_row.stripe_id, "card_country")
    ]
    page = client.get("/admin/reports/").content.decode()
    assert "Differs from Stripe" in page
    assert charge_row.stripe_id in page
    assert "1 difference" in page


def test_a_comparison_runs_once_however_often_its_task_is_delivered(site, client):
    _paid_out(site)
    client.force_login(staff_member(username="fin", password="x", role=FINANCE))
    comparison = _compare(client, site)
    finished_at = comparison.finished_at

    assert app.tasks["subscriptions.stripe_report_comparison_run"](comparison.pk) == "agrees"
    comparison.refresh_from_db()
    assert comparison.finished_at == finished_at


def test_beat_compares_the_past_week_every_day_and_stores_the_result(site):
    schedule = settings.CELERY_BEAT_SCHEDULE["stripe-report-compare"]
    assert schedule["task"] == "subscriptions.stripe_report_comparison_daily"
    assert schedule["task"] in app.tasks

    assert stripe_report_comparison_daily() == "agrees"

    comparison = StripeReportComparison.objects.get()
    yesterday = local_date(timezone.now()) - timedelta(days=1)
    assert (comparison.start, comparison.end) == (yesterday - timedelta(days=7), yesterday)
    assert comparison.currency == settings.STRIPE_SETTLEMENT_CURRENCY
    assert comparison.requested_by is None


def test_a_bad_period_is_refused_and_asks_stripe_for_nothing(client, db):
    client.force_login(staff_member(username="fin", password="x", role=FINANCE))

    response = client.post(
        "/admin/reports/compare/",
        {"start": "2026-04-01", "end": "2026-03-01", "currency": "eur"},
    )

    assert response.status_code == 200
    assert b"The end day must come after the start day" in response.content
    assert not StripeReportComparison.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "status"), [(AUDITOR, 403), (SUPPORTER_CARE, 403)])
def test_only_finance_asks_for_a_comparison(client, role, status):
    client.force_login(staff_member(username=f"user-{role}", password="x", role=role))

    response = client.post(
        "/admin/reports/compare/", {"start": "2026-03-01", "end": "2026-04-01", "currency": "eur"}
    )

    assert response.status_code == status
    assert not StripeReportComparison.objects.exists()


@pytest.mark.django_db
def test_the_auditor_reads_the_last_comparison_but_has_no_button(client):
    StripeReportComparison.objects.create(
        start="2026-03-01",
        end="2026-04-01",
        currency="eur",
        status="differs",
        lines_compared=3,
        differences=[
            {
                "transaction": "txn_odd",
                "column": "net",
                "ours": "1.00",
                "stripes": "2.00",
                "text": "txn_odd: net",
            }
        ],  # fmt: skip
        finished_at=timezone.now(),
    )
    client.force_login(staff_member(username="audit", password="x", role=AUDITOR))

    page = client.get("/admin/reports/").content.decode()

    assert "Differs from Stripe" in page
    assert "txn_odd" in page
    assert "Compare with Stripe now" not in page
