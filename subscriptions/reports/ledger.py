"""The ledger: one row per balance transaction booked in a period, Stripe's itemized payout
reconciliation columns first (names, order and number format as in Stripe's report), then
ours. Rows stream from one query on a server-side cursor, so memory stays flat."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from django.db import connection
from django.utils.dateparse import parse_datetime

from subscriptions.models import BalanceTransaction, Contribution, Payment, Payout, Supporter
from subscriptions.money import currency_decimals

from .books import newsroom_zone

STRIPE_COLUMNS = [
    "balance_transaction_id",
    "created_utc",
    "created",
    "available_on_utc",
    "currency",
    "gross",
    "fee",
    "net",
    "reporting_category",
    "source_id",
    "description",
    "customer_facing_amount",
    "customer_facing_currency",
    "automatic_payout_id",
    "automatic_payout_effective_at_utc",
    "customer_id",
    "customer_email",
    "customer_name",
    "charge_id",
    "payment_intent_id",
    "invoice_id",
    "subscription_id",
    "payment_method_type",
    "card_brand",
    "card_country",
    "dispute_reason",
]
OUR_COLUMNS = [
    "supporter_id",
    "contribution_id",
    "frequency",
    "recurring_or_once",
    "first_or_repeat",
    "covered_fee",
    "source_article",
    "local_date",
]
LEDGER_COLUMNS = STRIPE_COLUMNS + OUR_COLUMNS
# Columns holding money (major units), for writers that type their cells.
AMOUNT_COLUMNS = frozenset({"gross", "fee", "net", "customer_facing_amount", "covered_fee"})
CHUNK_ROWS = 5000


@dataclass(frozen=True)
class Period:
    """Local days [start, end) in NEWSROOM_TIME_ZONE, in one settlement currency."""

    start: date
    end: date
    currency: str


def major(amount: int | None, currency: str) -> str:
    """Minor units as Stripe's reports write them: "12.34", "-6.74", "500" (zero-decimal)."""
    if amount is None or not currency:
        return ""
    if currency_decimals(currency) == 0:
        return str(amount)
    sign = "-" if amount < 0 else ""
    whole, cents = divmod(abs(amount), 100)
    return f"{sign}{whole}.{cents:02d}"


def aware(moment: datetime | str | None) -> datetime | None:
    if isinstance(moment, str):  # SQLite hands raw rows back as text
        moment = parse_datetime(moment)
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def stamp(moment: datetime | str | None, zone: tzinfo = UTC) -> str:
    """ "2026-03-31 23:30:00", as Stripe's reports write times."""
    moment = aware(moment)
    if moment is None:
        return ""
    return moment.astimezone(zone).isoformat(" ", "seconds")[:19]


def _table(model: Any) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


TIME_FORMAT = "YYYY-MM-DD HH24:MI:SS"


def _formatted(column: str, zone: str = "'UTC'") -> str:
    """A time column as Stripe's reports write it; PostgreSQL formats it (as COPY would),
    elsewhere the raw value comes back and `_normalised` formats it."""
    if connection.vendor == "postgresql":
        return f"to_char({column} AT TIME ZONE {zone}, '{TIME_FORMAT}')"
    return column


def ledger_query(period: Period) -> tuple[str, list[Any]]:
    """The ledger's one SELECT and its parameters."""
    article = Contribution._meta.get_field("source_article").related_model
    postgres = connection.vendor == "postgresql"
    zone_params: list[Any] = [newsroom_zone().key] if postgres else []
    sql = f"""
        SELECT bt.stripe_id, {_formatted("bt.created")}, {_formatted("bt.created", "%s")},
               {_formatted("bt.available_on")}, bt.currency, bt.amount, bt.fee,
               bt.net, bt.reporting_category, bt.source_id, bt.description,
               bt.customer_facing_amount, bt.customer_facing_currency,
               CASE WHEN po.automatic THEN po.stripe_payout_id ELSE '' END,
               CASE WHEN po.automatic THEN {_formatted("po.arrival_date")} END,
               bt.customer_id, s.email, s.name, bt.charge_id, p.stripe_payment_intent_id,
               p.stripe_invoice_id, c.stripe_subscription_id, bt.payment_method_type,
               bt.card_brand, bt.card_country, bt.dispute_reason,
               s.id, c.id, c.frequency, c.covered_fee, c.currency, a.slug, p.id,
               (SELECT first.id FROM {_table(Payment)} first
                 WHERE first.contribution_id = p.contribution_id
                 ORDER BY first.paid_at, first.id LIMIT 1),
               bt.booked_on
          FROM {_table(BalanceTransaction)} bt
          LEFT JOIN {_table(Payout)} po ON po.id = bt.payout_id
          LEFT JOIN {_table(Payment)} p ON p.stripe_charge_id = bt.charge_id
                                       AND bt.charge_id <> ''
          LEFT JOIN {_table(Contribution)} c ON c.id = p.contribution_id
          LEFT JOIN {_table(Supporter)} s ON s.id = p.supporter_id
          LEFT JOIN {_table(article)} a ON a.id = c.source_article_id
         WHERE bt.currency = %s AND bt.booked_on >= %s AND bt.booked_on < %s
         ORDER BY bt.created, bt.id
    """  # noqa: S608 (table names from the models; values are parameters)
    return sql, [*zone_params, period.currency, period.start, period.end]


def _normalised(record: tuple[Any, ...], zone: tzinfo) -> tuple[Any, ...]:
    """A row from a database that does not format times (SQLite), formatted here."""
    created, available_on, payout_at = record[1], record[3], record[13]
    return (
        record[0],
        stamp(created),
        stamp(created, zone),
        stamp(available_on),
        *record[4:13],
        stamp(payout_at),
        *record[14:],
    )


def ledger_row(record: tuple[Any, ...]) -> list[str]:
    (
        txn_id, created, local, available_on, currency, gross, fee, net, category, source_id,
        description, facing_amount, facing_currency, payout_id, payout_at, customer_id,
        email, name, charge_id, intent_id, invoice_id, subscription_id, method_type,
        card_brand, card_country, dispute_reason, supporter_id, contribution_id, frequency,
        covered_fee, contribution_currency, article_slug, payment_id, first_payment_id,
        booked_on,
    ) = record  # fmt: skip
    is_charge = payment_id is not None and category == "charge"
    recurring = ("once" if frequency == "once" else "recurring") if frequency else ""
    return [
        txn_id,
        created,
        local,
        available_on,
        currency,
        major(gross, currency),
        major(fee, currency),
        major(net, currency),
        category,
        source_id,
        description or "",
        major(facing_amount, facing_currency),
        facing_currency or "",
        payout_id or "",
        payout_at or "",
        customer_id or "",
        email or "",
        name or "",
        charge_id or "",
        intent_id or "",
        invoice_id or "",
        subscription_id or "",
        method_type or "",
        card_brand or "",
        card_country or "",
        dispute_reason or "",
        str(supporter_id or ""),
        str(contribution_id or ""),
        frequency or "",
        recurring,
        ("first" if payment_id == first_payment_id else "repeat") if is_charge else "",
        major(covered_fee, contribution_currency) if is_charge and covered_fee else "",
        article_slug or "",
        local[:10],
    ]


def ledger_records(period: Period) -> Iterator[tuple[Any, ...]]:
    """The raw rows of the period's ledger, fetched in chunks on a server-side cursor.

    PostgreSQL plans a cursor for its first rows (`cursor_tuple_fraction` 0.1: nested loops);
    we read every row, so it is told to plan for all of them (hash joins, as COPY gets)."""
    postgres = connection.vendor == "postgresql"
    zone = newsroom_zone()
    if postgres:
        with connection.cursor() as setting:
            setting.execute("SET cursor_tuple_fraction = 1.0")
    try:
        with connection.chunked_cursor() as cursor:
            cursor.execute(*ledger_query(period))
            while chunk := cursor.fetchmany(CHUNK_ROWS):
                if postgres:
                    yield from chunk
                else:
                    yield from (_normalised(record, zone) for record in chunk)
    finally:
        if postgres:
            with connection.cursor() as setting:
                setting.execute("RESET cursor_tuple_fraction")


def ledger_rows(period: Period) -> Iterator[list[str]]:
    for record in ledger_records(period):
        yield ledger_row(record)


def ledger_count(period: Period) -> int:
    return BalanceTransaction.objects.filter(
        currency=period.currency, booked_on__gte=period.start, booked_on__lt=period.end
    ).count()
