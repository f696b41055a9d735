"""Finance's reports from our own records: closing a month, the command, the admin page,
large exports on a worker, the journal's accounts and /healthz when a payout is off."""

import base64
import csv
import hashlib
import io
import re
import time
from datetime import UTC, date, datetime, timedelta

import openpyxl
import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from config.celery import HEARTBEAT_CACHE_KEY
from subscriptions import stripe_gateway as gateway
from subscriptions.models import MonthClose, Payout, ReportExport
from subscriptions.reports.background import report_exports_prune
from subscriptions.reports.closing import MonthCloseRefused, month_close, month_close_verify
from subscriptions.reports.exports import report_build, report_write
from subscriptions.reports.ledger import Period
from subscriptions.reports.summary import minor
from subscriptions.reports.tieout import payout_tie_out
from subscriptions.roles import FINANCE, SUPPORTER_CARE
from subscriptions.stripe_events.money import balance_transaction_record
from tests.factories import ContributionFactory, PaymentFactory
from tests.staff import staff_member

pytestmark = pytest.mark.django_db
MARCH = Period(date(2026, 3, 1), date(2026, 4, 1), "eur")
APRIL = Period(date(2026, 4, 1), date(2026, 5, 1), "eur")


def _at(day: int, month: int = 3, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def _record(
    txn_id: str,
    *,
    created: datetime,
    category: str,
    amount: int,
    fee: int = 0,
    source: str = "",
    charge: str = "",
    payout: Payout | None = None,
):
    """A balance transaction as Stripe hands it to us, recorded by our own code."""
    info = gateway.BalanceTransactionInfo(
        id=txn_id,
        type=category,
        amount=amount,
        fee=fee,
        net=amount - fee,
        currency="eur",
        reporting_category=category,
        source_id=source or charge,
        created=created,
        available_on=created + timedelta(days=2),
        charge_id=charge,
        customer_facing_amount=amount,
        customer_facing_currency="eur",
    )
    return balance_transaction_record(info, payout=payout)


def _gift(charge: str, *, day: int, amount: int = 2000, frequency: str = "month"):
    payment = PaymentFactory(
        stripe_charge_id=charge,
        amount=amount,
        fee=55,
        paid_at=_at(day),
        contribution=ContributionFactory(frequency=frequency, amount=amount),
    )
    _record(
        f"txn_{charge}", created=_at(day), category="charge", amount=amount, fee=55, charge=charge
    )
    return payment


def _export(name: str, period: Period, file_format: str = "csv") -> bytes:
    out = io.BytesIO()
    report_write(report_build(name, period), out, file_format)
    return out.getvalue()


def _csv(name: str, period: Period) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(_export(name, period).decode())))


def test_a_closed_month_exports_the_same_bytes_and_late_arrivals_adjust_the_next_month():
    payment = _gift("ch_march", day=10)
    _gift("ch_once", day=12, frequency="once", amount=5000)
    _record(
        "txn_refund",
        created=_at(20),
        category="refund",
        amount=-500,
        source="re_1",
        charge="ch_march",
    )
    close = month_close(month=date(2026, 3, 15), currency="EUR")
    frozen = {fmt: _export(name, MARCH, fmt) for name in ("ledger",) for fmt in ("csv", "xlsx")}
    frozen_summary, frozen_journal = _export("summary", MARCH), _export("journal", MARCH)
    assert close.row_count == 3
    assert close.checksum == hashlib.sha256(frozen["csv"]).hexdigest()

    # After the close: a dispute dated in March arrives, and the supporter renames herself.
    _record(
        "txn_late",
        created=_at(28),
        category="dispute",
        amount=-2000,
        fee=1500,
        source="dp_1",
        charge="ch_march",
    )
    payment.supporter.name = "Someone Else"
    payment.supporter.save()

    assert _export("ledger", MARCH, "csv") == frozen["csv"]
    assert _export("ledger", MARCH, "xlsx") == frozen["xlsx"]
    assert _export("summary", MARCH) == frozen_summary
    assert _export("journal", MARCH) == frozen_journal
    assert month_close_verify(MonthClose.objects.get())
    april = _csv("ledger", APRIL)
    assert [(r["balance_transaction_id"], r["local_date"]) for r in april] == [
        ("txn_late", "2026-03-28")
    ]
    summary = _csv("summary", Period(date(2026, 3, 1), date(2026, 5, 1), "eur"))
    lines = {(r["month"], r["section"], r["item"]): r for r in summary}
    assert lines[("2026-03", "closing_balance", "")]["net"] == "63.90"  # 19.45 + 49.45 - 5.00
    assert lines[("2026-04", "opening_balance", "")]["net"] == "63.90"
    adjustment = lines[("2026-04", "adjustments_for_closed_months", "")]
    assert (adjustment["count"], adjustment["net"]) == ("1", "-35.00")
    assert lines[("2026-04", "closing_balance", "")]["net"] == "28.90"
    assert lines[("2026-03", "recurring_or_once", "recurring")]["gross"] == "20.00"
    assert lines[("2026-03", "first_or_repeat", "first")]["count"] == "2"


def test_a_month_is_closed_once_and_only_after_it_has_ended():
    month_close(month=date(2026, 3, 1), currency="eur")
    with pytest.raises(MonthCloseRefused, match="already closed"):
        month_close(month=date(2026, 3, 1), currency="eur")
    with pytest.raises(MonthCloseRefused, match="has not ended yet"):
        month_close(month=timezone.now().date(), currency="eur")


def test_the_journal_balances_and_books_to_the_configured_accounts(settings):
    settings.FINANCE_ACCOUNTS = {**settings.FINANCE_ACCOUNTS, "donations_once": "4711"}
    _gift("ch_a", day=3)
    _gift("ch_b", day=4, frequency="once")
    _record("txn_r", created=_at(5), category="refund", amount=-700, source="re_x", charge="ch_a")
    _record(
        "txn_d",
        created=_at(6),
        category="dispute",
        amount=-2000,
        fee=1500,
        source="dp_x",
        charge="ch_b",
    )
    _record("txn_p", created=_at(9), category="payout", amount=-1000, source="po_x")

    journal = _csv("journal", MARCH)

    assert sum(minor(r["debit"]) - minor(r["credit"]) for r in journal) == 0
    by_account = {}
    for row in journal:
        by_account[row["account"]] = (
            by_account.get(row["account"], 0) + minor(row["debit"]) - minor(row["credit"])
        )
    assert by_account["4000"] == -2000  # recurring donations, credited
    assert by_account["4711"] == -2000  # once, to the configured account
    assert by_account["4090"] == 700  # refunds
    assert by_account["6810"] == 110  # card fees
    assert by_account["6820"] == 3500  # the dispute and its fee
    assert by_account["1200"] == 1000  # paid out to the bank
    assert {r["reference"] for r in journal} == {"2026-03-EUR"}


def test_export_payments_writes_every_report_as_csv_and_xlsx(tmp_path):
    _gift("ch_cmd", day=7)
    for report in ("ledger", "summary", "payouts", "supporters", "journal"):
        target = tmp_path / f"{report}.csv"
        call_command(
            "export_payments",
            "--start",
            "2026-03-01",
            "--end",
            "2026-04-01",
            "--report",
            report,
            "--output",
            str(target),
        )
        assert target.read_text().splitlines()[0]
    call_command(
        "export_payments",
        "--start",
        "2026-03-01",
        "--end",
        "2026-04-01",
        "--format",
        "xlsx",
        "--output",
        str(tmp_path / "ledger.xlsx"),
    )
    sheet = openpyxl.load_workbook(tmp_path / "ledger.xlsx").active
    header, first = list(sheet.iter_rows(values_only=True))[:2]
    assert header[:3] == ("balance_transaction_id", "created_utc", "created")
    assert first[0] == "txn_ch_cmd"
    assert float(first[header.index("net")]) == 19.45
    supporters = (tmp_path / "supporters.csv").read_text().splitlines()
    header, first = supporters[0].split(","), supporters[1].split(",")
    assert first[-1] == "recurring"
    assert first[header.index("language")] == "en"


def test_the_reports_page_is_finances_and_streams_the_ledger(client):
    _gift("ch_page", day=8)
    care = staff_member(username="care", password="x", role=SUPPORTER_CARE)
    client.force_login(care)
    assert client.get("/admin/reports/").status_code == 403

    client.force_login(staff_member(username="fin", password="x", role=FINANCE))
    page = client.get("/admin/reports/")
    assert page.status_code == 200
    assert b"Every reconciled payout ties out" in page.content
    response = client.get(
        "/admin/reports/download/",
        {
            "report": "ledger",
            "start": "2026-03-01",
            "end": "2026-04-01",
            "currency": "eur",
            "file_format": "csv",
        },
    )
    assert response.streaming
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row[0] for row in rows] == ["balance_transaction_id", "txn_ch_page"]
    refused = client.get(
        "/admin/reports/download/",
        {
            "report": "ledger",
            "start": "2026-04-01",
            "end": "2026-03-01",
            "currency": "eur",
            "file_format": "csv",
        },
    )
    assert b"The end day must come after the start day" in refused.content


def test_a_large_export_runs_on_a_worker_with_progress_and_a_link_kept_a_week(
    client, settings, celery_eager, django_capture_on_commit_callbacks, tmp_path
):
    settings.FINANCE_BACKGROUND_EXPORT_ROWS = 1
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    _gift("ch_big1", day=8)
    _gift("ch_big2", day=9)
    client.force_login(staff_member(username="fin", password="x", role=FINANCE))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(
            "/admin/reports/download/",
            {
                "report": "ledger",
                "start": "2026-03-01",
                "end": "2026-04-01",
                "currency": "eur",
                "file_format": "xlsx",
            },
        )
    assert response.status_code == 302
    export = ReportExport.objects.get()
    assert (export.status, export.rows_total, export.percent_done) == ("done", 2, 100)
    page = client.get("/admin/reports/")
    assert b'<progress value="100" max="100">' in page.content
    download = client.get(f"/admin/reports/exports/{export.pk}/")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert sheet.max_row == 3

    ReportExport.objects.filter(pk=export.pk).update(created_at=timezone.now() - timedelta(days=8))
    assert report_exports_prune() == 1
    assert not ReportExport.objects.exists()
    assert not list(tmp_path.rglob("*.xlsx"))


def test_healthz_is_degraded_while_a_payout_does_not_tie_out(client):
    cache.set(HEARTBEAT_CACHE_KEY, time.time())
    payout = Payout.objects.create(
        stripe_payout_id="po_off",
        amount=5000,
        currency="eur",
        status="paid",
        arrival_date=_at(15),
        reconciliation_status="completed",
    )
    _gift("ch_in_payout", day=10)
    _record("txn_ch_in_payout", created=_at(10), category="charge", amount=2000, payout=payout)
    assert payout_tie_out(payout) == 1945 - 5000

    body = client.get("/healthz").json()

    assert body["status"] == "degraded"
    assert body["payouts"]["not_tied_out"] == [
        {
            "payout": "po_off",
            "currency": "eur",
            "difference": "-30.55",
            "transactions": ["txn_ch_in_payout"],
        }
    ]


def test_the_admin_index_shows_finance_a_cached_dashboard_with_svg_charts(client, settings):
    cache.clear()
    ContributionFactory(frequency="month", amount=1000, currency="eur")
    ContributionFactory(frequency="year", amount=12000, currency="eur")
    PaymentFactory(contribution=ContributionFactory(frequency="once", status="paid"), amount=700)
    client.force_login(staff_member(username="care", password="x", role=SUPPORTER_CARE))
    assert b"Active recurring supporters" not in client.get("/admin/").content

    client.force_login(staff_member(username="fin", password="x", role=FINANCE))
    page = client.get("/admin/").content.decode()

    assert "Active recurring supporters</th><td>2</td>" in page
    assert "20.00 EUR" in page  # 10.00 a month, and a twelfth of 120.00 a year
    assert "7.00 EUR" in page  # the one-time gift this month
    charts = [part.split('"')[0] for part in page.split('src="data:image/svg+xml;base64,')[1:]]
    assert len(charts) == 2
    svg = base64.b64decode(charts[0]).decode()
    assert "<svg" in svg
    assert "<script" not in svg
    assert re.findall(r'(?:href|src)="(?:https?:)?//', svg) == []  # nothing fetched

    ContributionFactory(frequency="month", amount=1000, currency="eur")
    assert "Active recurring supporters</th><td>2</td>" in client.get("/admin/").content.decode()
