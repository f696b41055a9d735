"""Benchmark: supporter care's pages at a million supporters, against the admin index.

Run `python bench/admin.py [--supporters N]` from the project root (default 1,000,000).
It makes a database of its own, migrates it, loads the supporters with set-based SQL
(INSERT ... SELECT FROM generate_series: plans, payments, one Stripe event and one email
each, and the summary columns the list reads), ANALYZEs, then times, in one process and
one run, with a signed-in Supporter care member and Django's test client:

- the admin index page (the baseline);
- the supporter list, unfiltered and filtered by state;
- a search by charge id, by email address and by part of a name (trigram index);
- the page of one supporter (timeline included), for different supporters.

It prints the median time of each and its ratio to the index (target: each <= 3x), and
drops its database and flushes its Redis database when it ends.
"""

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scratch import database_create, database_drop  # noqa: E402

PYTHON = sys.executable
TARGET_RATIO = 3.0


# Every supporter i in 1..N gets one plan, chosen by i % 20: 12 in 20 a running monthly
# plan, 2 past due, 2 ended, 1 a yearly plan, 3 a single gift. Monthly plans have two
# payments a month apart; the others one. One in ten gives in US dollars (settled in
# dollars too: the bench reads, it does not convert).
LOAD_SQL = [
    (
        "supporters",
        """
        INSERT INTO subscriptions_supporter (
            email, name, email_undeliverable_reason, created_at, updated_at, state,
            plan_amount, plan_monthly_amount, plan_currency, plan_frequency, lifetime_totals,
            first_gift_at, has_failed_payment, token_version
        )
        SELECT
            'reader' || i || '@example.org',
            'Reader ' || i,
            '',
            now() - (i %% 1000) * interval '1 hour',
            now(),
            CASE WHEN i %% 20 < 12 OR i %% 20 = 16 THEN 'active'
                 WHEN i %% 20 < 14 THEN 'past_due'
                 WHEN i %% 20 < 16 THEN 'ended' ELSE 'one_time' END,
            CASE WHEN i %% 20 < 14 THEN 500 + (i %% 7) * 100 WHEN i %% 20 = 16 THEN 6000 ELSE 0 END,
            CASE WHEN i %% 20 < 14 THEN 500 + (i %% 7) * 100 WHEN i %% 20 = 16 THEN 500 ELSE 0 END,
            CASE WHEN i %% 20 < 14 OR i %% 20 = 16
                 THEN (CASE WHEN i %% 10 = 9 THEN 'usd' ELSE 'eur' END) ELSE '' END,
            CASE WHEN i %% 20 < 14 THEN 'month' WHEN i %% 20 = 16 THEN 'year' ELSE '' END,
            jsonb_build_object(
                CASE WHEN i %% 10 = 9 THEN 'usd' ELSE 'eur' END,
                CASE WHEN i %% 20 < 16 THEN 2 * (500 + (i %% 7) * 100)
                     WHEN i %% 20 = 16 THEN 6000 ELSE 1000 END
            ),
            now() - (i %% 365) * interval '1 day' - interval '30 days',
            i %% 20 IN (12, 13),
            0
        FROM generate_series(1, %(n)s) AS i
        """,
    ),
    (
        "plans",
        """
        INSERT INTO subscriptions_contribution (
            public_id, supporter_id, amount, currency, frequency, status, covers_fees,
            covered_fee, stripe_customer_id, stripe_subscription_id, stripe_payment_intent_id,
            card_brand, card_last4, cancel_at_period_end, collection_paused, cancel_reason,
            cancel_reason_detail,
            stripe_schedule_id, scheduled_frequency, started_at, current_period_end, created_at,
            updated_at
        )
        SELECT
            gen_random_uuid(), s.id,
            CASE WHEN k < 16 THEN 500 + (k2 %% 7) * 100 WHEN k = 16 THEN 6000 ELSE 1000 END,
            CASE WHEN k2 %% 10 = 9 THEN 'usd' ELSE 'eur' END,
            CASE WHEN k < 16 THEN 'month' WHEN k = 16 THEN 'year' ELSE 'once' END,
            CASE WHEN k < 12 OR k = 16 THEN 'active' WHEN k < 14 THEN 'past_due'
                 WHEN k < 16 THEN 'canceled' ELSE 'paid' END,
            false, 0,
            'cus_bench_' || k2,
            CASE WHEN k < 17 THEN 'sub_bench_' || k2 END,
            CASE WHEN k >= 17 THEN 'pi_bench_once_' || k2 END,
            'visa', '4242', false, false, '', '', '', '',
            s.first_gift_at, now() + interval '10 days', s.first_gift_at, now()
        FROM (
            SELECT id, first_gift_at, substring(email from 7 for position('@' in email) - 7)::int
                AS k2, substring(email from 7 for position('@' in email) - 7)::int %% 20 AS k
            FROM subscriptions_supporter
        ) AS s
        """,
    ),
    (
        "payments",
        """
        INSERT INTO subscriptions_payment (
            supporter_id, contribution_id, stripe_charge_id, stripe_payment_intent_id,
            stripe_invoice_id, stripe_balance_transaction_id, amount, currency, settled_amount,
            settlement_currency, fee, net,
            amount_refunded, dispute_status, stripe_dispute_id, receipt_number, refund_failures,
            paid_at, created_at
        )
        SELECT
            c.supporter_id, c.id,
            'ch_bench_' || c.id || '_' || n,
            'pi_bench_' || c.id || '_' || n,
            CASE WHEN c.frequency <> 'once' THEN 'in_bench_' || c.id || '_' || n ELSE '' END,
            'txn_bench_' || c.id || '_' || n,
            c.amount, c.currency, c.amount, c.currency,
            (round(c.amount * 0.015) + 25)::int,
            c.amount - (round(c.amount * 0.015) + 25)::int,
            0, '', '',
            'B' || c.id || '-' || n, '',
            c.started_at + (n - 1) * interval '30 days',
            now()
        FROM subscriptions_contribution AS c
        CROSS JOIN generate_series(1, 2) AS n
        WHERE n = 1 OR c.frequency = 'month'
        """,
    ),
    (
        "events",
        """
        INSERT INTO subscriptions_stripeevent (
            stripe_id, type, object_id, customer_id, api_version, stripe_created_at,
            payload, received_at, processed_at, attempts, last_error
        )
        SELECT
            'evt_bench_' || p.id, 'charge.succeeded', p.stripe_charge_id,
            c.stripe_customer_id, '2025-08-27.basil', p.paid_at,
            '{}'::jsonb, p.paid_at, p.paid_at, 1, ''
        FROM subscriptions_payment AS p JOIN subscriptions_contribution AS c
            ON c.id = p.contribution_id
        """,
    ),
    (
        "emails",
        """
        INSERT INTO subscriptions_outboxemail (
            supporter_id, kind, key, "to", subject, html, text, unsubscribe_url, status,
            attempts, last_error, message_id, operator_fault, created_at, sent_at
        )
        SELECT
            p.supporter_id, 'receipt', p.stripe_charge_id, 'reader@example.org',
            'Your receipt ' || p.receipt_number, '<p>Thank you.</p>', 'Thank you.', '',
            'sent', 1, '', '<bench-' || p.id || '@example.org>', false, p.paid_at, p.paid_at
        FROM subscriptions_payment AS p
        """,
    ),
]


def load(count: int) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for name, statement in LOAD_SQL:
            started = time.perf_counter()
            cursor.execute(statement, {"n": count})
            print(f"  {name}: {cursor.rowcount} rows in {time.perf_counter() - started:.1f} s")
    # What autovacuum does on a live database: statistics, and the visibility map that
    # lets counts read the index alone.
    connection.ensure_connection()
    autocommit = connection.connection.autocommit
    connection.connection.autocommit = True
    with connection.connection.cursor() as raw:
        raw.execute("VACUUM ANALYZE")
    connection.connection.autocommit = autocommit


def _median_ms(get: Callable[[int], object], repeats: int) -> float:
    times = []
    for attempt in range(repeats):
        started = time.perf_counter()
        response = get(attempt)
        times.append((time.perf_counter() - started) * 1000)
        status = getattr(response, "status_code", 0)
        if status != 200:
            raise RuntimeError(f"got {status}")
    return statistics.median(times)


def measure(count: int, repeats: int) -> None:
    from django.test import Client

    from subscriptions.models import Payment, Supporter
    from subscriptions.roles import SUPPORTER_CARE
    from tests.staff import staff_member

    client = Client()
    client.force_login(
        staff_member(username="bench-care", password=secrets.token_urlsafe(), role=SUPPORTER_CARE)
    )
    step = max(1, count // repeats)
    supporter_ids = list(
        Supporter.objects.filter(pk__in=[1 + i * step for i in range(repeats)]).values_list(
            "pk", flat=True
        )
    ) or list(Supporter.objects.values_list("pk", flat=True)[:repeats])
    charges = [
        Payment.objects.filter(supporter_id=pk).values_list("stripe_charge_id", flat=True)[0]
        for pk in supporter_ids
    ]
    emails = list(Supporter.objects.filter(pk__in=supporter_ids).values_list("email", flat=True))
    names = list(Supporter.objects.filter(pk__in=supporter_ids).values_list("name", flat=True))

    def pick(values: list, attempt: int):
        return values[attempt % len(values)]

    pages: list[tuple[str, Callable[[int], object]]] = [
        ("admin index", lambda _: client.get("/admin/")),
        ("supporter list", lambda _: client.get("/admin/subscriptions/supporter/")),
        (
            "supporter list, past due",
            lambda _: client.get("/admin/subscriptions/supporter/", {"state__exact": "past_due"}),
        ),
        (
            "search by charge id",
            lambda a: client.get("/admin/subscriptions/supporter/", {"q": pick(charges, a)}),
        ),
        (
            "search by email",
            lambda a: client.get("/admin/subscriptions/supporter/", {"q": pick(emails, a)}),
        ),
        (
            "search by part of a name",
            lambda a: client.get("/admin/subscriptions/supporter/", {"q": pick(names, a)}),
        ),
        (
            "supporter page",
            lambda a: client.get(
                f"/admin/subscriptions/supporter/{pick(supporter_ids, a)}/change/"
            ),
        ),
    ]
    for _, get in pages:  # warm up: templates, connections, caches
        get(0)
    results = [(name, _median_ms(get, repeats)) for name, get in pages]
    baseline = results[0][1]
    print(f"\n{count:,} supporters; median of {repeats} requests each")
    worst = 0.0
    for name, ms in results:
        ratio = ms / baseline
        if name != "admin index":
            worst = max(worst, ratio)
        print(f"  {name:<26} {ms:8.1f} ms  {ratio:5.2f}x the index")
    verdict = "met" if worst <= TARGET_RATIO else "NOT met"
    print(f"worst ratio {worst:.2f}x (target <= {TARGET_RATIO:.0f}x: {verdict})")


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--supporters", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--database", default="newsroom_bench_admin", help="made and dropped")
    parser.add_argument("--redis-db", type=int, default=13, help="must be empty; flushed at end")
    return parser.parse_args()


def main() -> None:
    arguments = parse_arguments()
    import redis

    cache = redis.Redis(host="127.0.0.1", port=6379, db=arguments.redis_db)
    if cache.dbsize():
        sys.exit(f"Redis database {arguments.redis_db} is not empty; choose another --redis-db")
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{arguments.database}",
        "REDIS_URL": f"redis://127.0.0.1:6379/{arguments.redis_db}",
        "LOCAL_WITHOUT_REDIS": "0",
        "STRIPE_SECRET_KEY": "sk_test_bench",
    }
    os.environ.update(env)
    database_made = False
    try:
        database_create(arguments.database)
        database_made = True
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env={**os.environ, **env},
            check=True,
        )
        import django

        django.setup()
        started = time.perf_counter()
        print(f"loading {arguments.supporters:,} supporters")
        load(arguments.supporters)
        print(f"loaded in {time.perf_counter() - started:.1f} s")
        measure(arguments.supporters, arguments.repeats)
    finally:
        cache.flushdb()
        if database_made:
            if "django" in sys.modules:
                from django.db import connections

                connections.close_all()
            database_drop(arguments.database)


if __name__ == "__main__":
    main()
