"""Benchmark: the ledger export against PostgreSQL's own COPY of the same query.

Run `python bench/export.py [--rows N]` from the project root (default 1,000,000). It makes
a database of its own, loads N ledger rows (balance transactions, half of them charges of
payments by supporters with plans; not timed), then in one run prints:

- COPY: `COPY (<the ledger's own SELECT>) TO STDOUT WITH CSV`, read to the end by psycopg;
- CSV: our streaming ledger export (`export_payments`' code) written to /dev/null, its
  time, the ratio CSV/COPY (target <= 3) and the process's peak resident memory
  (target < 200 MB);
- XLSX: the same export as XLSX (openpyxl, write-only), its time and peak memory.

It removes its database when it ends.
"""

import argparse
import os
import resource
import secrets
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scratch import database_create, database_drop  # noqa: E402

PYTHON = sys.executable


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load(rows: int) -> None:
    """N balance transactions over 2026 in EUR; every other one the charge of a payment."""
    from django.db import connection

    payments = rows // 2
    supporters = max(1, payments // 5)
    from subscriptions.models import Contribution, Supporter

    # Supporters and plans through the ORM (every field gets its default); the many rows
    # after them in SQL.
    Supporter.objects.bulk_create(
        (
            Supporter(email=f"reader{i}@example.org", name=f"Reader {i}")
            for i in range(1, supporters + 1)
        ),
        batch_size=5000,
    )
    Contribution.objects.bulk_create(
        (
            Contribution(
                supporter_id=supporter_id,
                amount=500 + (supporter_id % 20) * 100,
                currency="eur",
                frequency="once" if supporter_id % 3 == 0 else "month",
                status="active",
                covers_fees=supporter_id % 4 == 0,
                covered_fee=33 if supporter_id % 4 == 0 else 0,
                stripe_customer_id=f"cus_{supporter_id}",
                stripe_subscription_id=f"sub_{supporter_id}",
            )
            for supporter_id in Supporter.objects.values_list("pk", flat=True).iterator()
        ),
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO subscriptions_payment
                (supporter_id, contribution_id, stripe_charge_id, stripe_payment_intent_id,
                 stripe_invoice_id, stripe_balance_transaction_id, amount, currency,
                 settled_amount, settlement_currency, fee, net, amount_refunded,
                 dispute_status, stripe_dispute_id, refund_failures, paid_at, created_at)
            SELECT c.supporter_id, c.id, 'ch_' || i, 'pi_' || i, 'in_' || i, 'txn_' || i,
                   c.amount, 'eur', c.amount, 'eur', 40, c.amount - 40, 0, '', '', '',
                   timestamptz '2026-01-01' + (i * interval '30 seconds'), now()
              FROM generate_series(1, %s) AS i
              JOIN subscriptions_contribution c
                ON c.id = (SELECT min(id) FROM subscriptions_contribution) + (i %% %s)
            """,
            [payments, supporters],
        )
        cursor.execute(
            """
            INSERT INTO subscriptions_balancetransaction
                (stripe_id, type, reporting_category, source_id, amount, fee, net, currency,
                 description, created, available_on, charge_id, customer_id,
                 customer_facing_amount, customer_facing_currency, payment_method_type,
                 card_brand, card_country, dispute_reason, booked_on)
            SELECT 'txn_' || i,
                   CASE WHEN i %% 2 = 1 THEN 'charge' ELSE 'refund' END,
                   CASE WHEN i %% 2 = 1 THEN 'charge' ELSE 'refund' END,
                   CASE WHEN i %% 2 = 1 THEN 'ch_' || ((i + 1) / 2) ELSE 're_' || i END,
                   CASE WHEN i %% 2 = 1 THEN 1000 ELSE -250 END,
                   CASE WHEN i %% 2 = 1 THEN 40 ELSE 0 END,
                   CASE WHEN i %% 2 = 1 THEN 960 ELSE -250 END,
                   'eur', 'Gift', t, t + interval '2 days',
                   'ch_' || ((i + 1) / 2), 'cus_' || i,
                   CASE WHEN i %% 2 = 1 THEN 1000 ELSE -250 END, 'eur', 'card', 'visa', 'DE',
                   '', (t AT TIME ZONE 'Europe/London')::date
              FROM generate_series(1, %s) AS i,
                   LATERAL (SELECT timestamptz '2026-01-01' + (i * interval '15 seconds')) AS x(t)
            """,
            [rows],
        )
        cursor.execute("ANALYZE")


def copy_baseline(period) -> tuple[float, int]:
    from django.db import connection

    from subscriptions.reports.ledger import ledger_query

    with connection.cursor() as cursor:
        started = time.perf_counter()
        size = 0
        # psycopg binds COPY's parameters on the client: the very query the export runs.
        sql, params = ledger_query(period)
        statement = f"COPY ({sql}) TO STDOUT WITH CSV HEADER"
        with cursor.cursor.copy(statement, params) as copy:
            for block in copy:
                size += len(block)
        return time.perf_counter() - started, size


def export(period, file_format: str) -> float:
    from subscriptions.reports.exports import report_build, report_write

    started = time.perf_counter()
    with open(os.devnull, "wb") as out:
        report_write(report_build("ledger", period), out, file_format)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database", default="newsroom_bench_export")
    parser.add_argument("--skip-xlsx", action="store_true")
    parser.add_argument("--load-only", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.load_only:
        # A child process loads the rows, so the measured process's peak memory is the
        # export's own.
        import django

        django.setup()
        load(arguments.rows)
        return
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{arguments.database}",
        "NEWSROOM_TIME_ZONE": "Europe/London",
        "LOCAL_WITHOUT_REDIS": "1",
    }
    os.environ.update(env)
    database_create(arguments.database)
    try:
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env={**os.environ},
            check=True,
        )
        import django

        django.setup()
        from django.db import connections

        from subscriptions.reports.ledger import Period, ledger_count

        started = time.perf_counter()
        subprocess.run(
            [PYTHON, __file__, "--load-only", "--rows", str(arguments.rows)],
            env={**os.environ},
            check=True,
        )
        period = Period(start=date(2025, 12, 1), end=date(2027, 1, 1), currency="eur")
        count = ledger_count(period)
        print(f"loaded {count} ledger rows in {time.perf_counter() - started:.1f} s", flush=True)
        baseline = peak_mb()

        copy_seconds, copy_bytes = copy_baseline(period)
        print(f"COPY: {count} rows, {copy_bytes / 1e6:.0f} MB in {copy_seconds:.1f} s", flush=True)
        csv_seconds = export(period, "csv")
        csv_peak = peak_mb()
        ratio = csv_seconds / copy_seconds
        print(
            f"CSV: {count} rows in {csv_seconds:.1f} s; ratio CSV/COPY = {ratio:.2f} "
            f"(target <= 3: {'met' if ratio <= 3 else 'NOT met'}); peak memory "
            f"{csv_peak:.0f} MB (before the export {baseline:.0f} MB; target < 200 MB: "
            f"{'met' if csv_peak < 200 else 'NOT met'})",
            flush=True,
        )
        if not arguments.skip_xlsx:
            xlsx_seconds = export(period, "xlsx")
            print(
                f"XLSX: {count} rows in {xlsx_seconds:.1f} s; peak memory {peak_mb():.0f} MB",
                flush=True,
            )
        connections.close_all()
    finally:
        database_drop(arguments.database)


if __name__ == "__main__":
    main()
