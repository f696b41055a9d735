"""Every finance report by name, as columns and streaming rows, and written as CSV or XLSX.

A period is cut into its months; a month finance has closed (for the whole month) comes
from its frozen ledger, so its ledger, summary and journal never change."""

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO

from django.utils import timezone

from subscriptions.models import MonthClose

from .books import month_of, next_month
from .journal import JOURNAL_COLUMNS, journal_rows
from .ledger import AMOUNT_COLUMNS, LEDGER_COLUMNS, Period, ledger_count, ledger_rows
from .summary import SUMMARY_COLUMNS, balance_before, month_figures
from .supporters import supporter_columns, supporter_rows
from .tieout import PAYOUT_COLUMNS, payout_rows
from .writers import csv_write, xlsx_write

REPORTS = ("ledger", "summary", "payouts", "supporters", "journal")
FORMATS = ("csv", "xlsx")
_AMOUNTS = AMOUNT_COLUMNS | {
    "debit",
    "credit",
    "payout_amount",
    "transactions_net",
    "difference",
    "gross",
    "fee",
    "net",
}


@dataclass(frozen=True)
class Segment:
    """The part of a period inside one month; `frozen` when it is a whole closed month."""

    month: date
    period: Period
    frozen: MonthClose | None

    def rows(self) -> Iterable[list[str]]:
        if self.frozen is not None:
            reader = csv.reader(io.StringIO(self.frozen.ledger_csv))
            next(reader)
            return reader
        return ledger_rows(self.period)

    def opening(self) -> int:
        if self.frozen is not None:
            return int(self.frozen.figures["opening"])
        return balance_before(self.period.start, self.period.currency)


def segments(period: Period) -> list[Segment]:
    closes = {
        close.month: close
        for close in MonthClose.objects.filter(
            currency=period.currency, month__gte=month_of(period.start), month__lt=period.end
        )
    }
    parts = []
    month = month_of(period.start)
    while month < period.end:
        start, end = max(period.start, month), min(period.end, next_month(month))
        whole = start == month and end == next_month(month)
        part = Period(start=start, end=end, currency=period.currency)
        parts.append(Segment(month, part, closes.get(month) if whole else None))
        month = next_month(month)
    return parts


@dataclass(frozen=True)
class Report:
    name: str
    columns: list[str]
    rows: Iterable[list[str]]
    # The moment the figures stand at: a closed month's close, else now.
    as_of: datetime


def _as_of(parts: list[Segment]) -> datetime:
    if parts and all(part.frozen for part in parts):
        return max(part.frozen.closed_at for part in parts if part.frozen)
    return timezone.now()


def _chain(
    parts: list[Segment], rows_of: Callable[[Segment], Iterable[list[str]]]
) -> Iterator[list[str]]:
    for part in parts:
        yield from rows_of(part)


def report_build(name: str, period: Period) -> Report:
    if name not in REPORTS:
        raise ValueError(f"There is no report called {name!r}; choose one of {', '.join(REPORTS)}.")
    parts = segments(period)
    as_of = _as_of(parts)
    if name == "ledger":
        return Report(name, LEDGER_COLUMNS, _chain(parts, Segment.rows), as_of)
    if name == "summary":

        def summary_of(part: Segment) -> Iterator[list[str]]:
            figures = month_figures(
                part.month, period.currency, part.rows(), opening=part.opening()
            )
            return figures.rows()

        return Report(name, SUMMARY_COLUMNS, _chain(parts, summary_of), as_of)
    if name == "journal":

        def journal_of(part: Segment) -> Iterator[list[str]]:
            reference = f"{part.month:%Y-%m}-{period.currency.upper()}"
            return journal_rows(part.rows(), period.currency, reference=reference)

        return Report(name, JOURNAL_COLUMNS, _chain(parts, journal_of), as_of)
    if name == "payouts":
        return Report(name, PAYOUT_COLUMNS, payout_rows(period), timezone.now())
    return Report(name, supporter_columns(), supporter_rows(period), timezone.now())


def report_size(name: str, period: Period) -> int:
    """About how many rows a report has: what decides whether a worker writes it."""
    return ledger_count(period) if name in ("ledger", "summary", "journal") else 0


def report_write(
    report: Report,
    out: IO[bytes],
    file_format: str,
    *,
    progress: Callable[[int], None] | None = None,
) -> None:
    if file_format == "xlsx":
        xlsx_write(
            out,
            report.columns,
            report.rows,
            amount_columns=frozenset(_AMOUNTS),
            as_of=report.as_of,
            title=report.name,
            progress=progress,
        )
    elif file_format == "csv":
        rows = report.rows
        if progress is not None:
            rows = _counted(rows, progress)
        csv_write(out, report.columns, rows)
    else:
        raise ValueError(f"There is no {file_format!r} format; choose csv or xlsx.")


def _counted(rows: Iterable[list[str]], progress: Callable[[int], None]) -> Iterator[list[str]]:
    count = 0
    for count, row in enumerate(rows, start=1):
        if count % 5000 == 0:
            progress(count)
        yield row
    progress(count)


def report_filename(name: str, period: Period, file_format: str) -> str:
    return f"{name}-{period.currency}-{period.start}-{period.end}.{file_format}"
