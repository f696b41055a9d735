"""The month summary, laid out as Stripe's balance report: per month and currency the
opening balance, then count, gross, fee and net by `reporting_category`, then the closing
balance; recurring against once and first against repeat gifts; and the adjustments booked
in the month for earlier, closed months."""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Sum

from subscriptions.models import BalanceTransaction

from .ledger import LEDGER_COLUMNS, major

SUMMARY_COLUMNS = ["month", "currency", "section", "item", "count", "gross", "fee", "net"]
_INDEX = {name: position for position, name in enumerate(LEDGER_COLUMNS)}


def minor(text: str) -> int:
    """A ledger amount ("-6.74", or "500" in a zero-decimal currency) back in minor units,
    exactly: the ledger always writes all of a currency's decimals."""
    return int(text.replace(".", "")) if text else 0


@dataclass
class Totals:
    count: int = 0
    gross: int = 0
    fee: int = 0
    net: int = 0

    def add(self, gross: int, fee: int, net: int) -> None:
        self.count += 1
        self.gross += gross
        self.fee += fee
        self.net += net


@dataclass
class MonthFigures:
    """One month's figures in one currency, in minor units."""

    month: date
    currency: str
    opening: int
    categories: dict[str, Totals] = field(default_factory=lambda: defaultdict(Totals))
    kinds: dict[str, Totals] = field(default_factory=lambda: defaultdict(Totals))
    gifts: dict[str, Totals] = field(default_factory=lambda: defaultdict(Totals))
    adjustments: Totals = field(default_factory=Totals)

    @property
    def closing(self) -> int:
        return self.opening + sum(totals.net for totals in self.categories.values())

    def add(self, row: list[str]) -> None:
        values = [minor(row[_INDEX[name]]) for name in ("gross", "fee", "net")]
        gross, fee, net = values
        self.categories[row[_INDEX["reporting_category"]]].add(gross, fee, net)
        if row[_INDEX["reporting_category"]] == "charge":
            self.kinds[row[_INDEX["recurring_or_once"]] or "once"].add(gross, fee, net)
            if row[_INDEX["first_or_repeat"]]:
                self.gifts[row[_INDEX["first_or_repeat"]]].add(gross, fee, net)
        if row[_INDEX["local_date"]] < self.month.isoformat():
            self.adjustments.add(gross, fee, net)

    def as_json(self) -> dict[str, Any]:
        def totals(table: dict[str, Totals]) -> dict[str, list[int]]:
            return {key: [t.count, t.gross, t.fee, t.net] for key, t in sorted(table.items())}

        return {
            "opening": self.opening,
            "closing": self.closing,
            "categories": totals(self.categories),
            "recurring_or_once": totals(self.kinds),
            "first_or_repeat": totals(self.gifts),
            "adjustments": [
                self.adjustments.count,
                self.adjustments.gross,
                self.adjustments.fee,
                self.adjustments.net,
            ],
        }

    def rows(self) -> Iterator[list[str]]:
        month, currency = f"{self.month:%Y-%m}", self.currency

        def line(section: str, item: str, totals: Totals) -> list[str]:
            return [
                month,
                currency,
                section,
                item,
                str(totals.count),
                major(totals.gross, currency),
                major(totals.fee, currency),
                major(totals.net, currency),
            ]

        yield [month, currency, "opening_balance", "", "", "", "", major(self.opening, currency)]
        for category, totals in sorted(self.categories.items()):
            yield line("reporting_category", category, totals)
        yield [month, currency, "closing_balance", "", "", "", "", major(self.closing, currency)]
        for kind, totals in sorted(self.kinds.items()):
            yield line("recurring_or_once", kind, totals)
        for gift, totals in sorted(self.gifts.items()):
            yield line("first_or_repeat", gift, totals)
        if self.adjustments.count:
            yield line("adjustments_for_closed_months", "", self.adjustments)


def balance_before(day: date, currency: str) -> int:
    """The balance carried into a day: every transaction booked before it."""
    total = BalanceTransaction.objects.filter(currency=currency, booked_on__lt=day).aggregate(
        net=Sum("net")
    )["net"]
    return total or 0


def month_figures(
    month: date, currency: str, rows: Iterable[list[str]], *, opening: int
) -> MonthFigures:
    figures = MonthFigures(month=month, currency=currency, opening=opening)
    for row in rows:
        figures.add(row)
    return figures
