"""Suggested amounts, and what a gift becomes when it switches between monthly and yearly.

The suggested amounts belong to the newsroom's live appeal, which `subscriptions` may not
import (apps depend one way). The newsroom registers where they come from when it starts
(`suggested_amounts_source_set`); without a source, conversions round to whole units.
"""

from collections.abc import Callable
from decimal import Decimal

from django.conf import settings

from .money import to_minor_units
from .pledges import Frequency

# (currency, frequency) -> suggested amounts in minor units.
SuggestedAmountsSource = Callable[[str, str], list[int]]

# A suggestion replaces the exact conversion only when it is this close to it (a fifth
# either way), so €5 a month offers €50 a year rather than €60, and €2 a month €24.
NEAR_ENOUGH = 0.2
MONTHS_IN_A_YEAR = 12

_source: SuggestedAmountsSource | None = None


def suggested_amounts_source_set(source: SuggestedAmountsSource | None) -> None:
    global _source
    _source = source


def suggested_amounts(*, currency: str, frequency: str) -> list[int]:
    if _source is None:
        return []
    return sorted(_source(currency, frequency))


def _minor_units(major: int | Decimal, *, currency: str) -> int:
    return to_minor_units(Decimal(major), currency=currency)


def _whole_units(amount_minor: float, *, currency: str) -> int:
    unit = _minor_units(1, currency=currency)
    return max(1, round(amount_minor / unit)) * unit


def switched_amount(*, amount: int, currency: str, frequency: str) -> int:
    """`amount` given at the other frequency, converted to `frequency`: twelve times a
    month's amount for a year, a twelfth of a year's for a month, then the nearest
    suggested amount when one is close, else whole units; within the gift limits."""
    exact = amount * MONTHS_IN_A_YEAR if frequency == Frequency.YEAR else amount / MONTHS_IN_A_YEAR
    suggestions = suggested_amounts(currency=currency, frequency=frequency)
    nearest = min(
        suggestions, key=lambda suggestion: (abs(suggestion - exact), -suggestion), default=None
    )
    if nearest is not None and abs(nearest - exact) <= NEAR_ENOUGH * exact:
        converted = nearest
    else:
        converted = _whole_units(exact, currency=currency)
    lowest = _minor_units(settings.CONTRIBUTION_MINIMUM, currency=currency)
    highest = _minor_units(settings.CONTRIBUTION_MAXIMUM, currency=currency)
    return min(max(converted, lowest), highest)
