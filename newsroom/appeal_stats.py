"""An appeal test's results, per variant and per page: reads for the admin.

- Conversion rate: gifts / impressions, with a 95% Wilson score interval.
- A gift: a contribution made from the variant whose first payment Stripe confirmed,
  counted at that payment's amount, as a monthly equivalent: a monthly gift at its amount,
  a yearly one at a twelfth, a one-time gift at a twelfth too (a year's giving, spread).
- Revenue per thousand impressions (RPM): the monthly-equivalent revenue per currency,
  times 1,000, over the variant's impressions.
- Ahead with 95% confidence: the variant with the best rate beats every other variant in
  a two-proportion z-test (pooled, two-sided): z ≥ 1.96 against each of them.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from django.db.models import OuterRef, Subquery

from subscriptions.models import Contribution, Payment
from subscriptions.pledges import Frequency

from .counting import SUPPORT_PAGE
from .models import AppealTest, AppealVariantTally, Article

Z_95 = 1.959963984540054


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> tuple[float, float] | None:
    """The 95% Wilson score interval of a rate; None before the first trial."""
    if trials <= 0:
        return None
    rate = successes / trials
    denominator = 1 + z * z / trials
    centre = (rate + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(rate * (1 - rate) / trials + z * z / (4 * trials * trials)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def two_proportion_z(
    successes_a: int, trials_a: int, successes_b: int, trials_b: int
) -> float | None:
    """How many standard errors a's rate is above b's (pooled); None when undefined."""
    if trials_a <= 0 or trials_b <= 0:
        return None
    pooled = (successes_a + successes_b) / (trials_a + trials_b)
    error = math.sqrt(pooled * (1 - pooled) * (1 / trials_a + 1 / trials_b))
    if error == 0:
        return None
    return (successes_a / trials_a - successes_b / trials_b) / error


def monthly_value(*, amount: int, frequency: str) -> Fraction:
    """A gift's monthly equivalent in minor units, exactly (rounded only when shown)."""
    return Fraction(amount) if frequency == Frequency.MONTH else Fraction(amount, 12)


def minor_units(value: Fraction) -> int:
    """Rounded half up to a whole minor unit."""
    return math.floor(value + Fraction(1, 2))


@dataclass
class Figures:
    impressions: int = 0
    form_starts: int = 0
    gifts: int = 0
    # {currency: monthly-equivalent revenue in minor units, exact}
    revenue: dict[str, Fraction] = field(default_factory=dict)

    @property
    def rate(self) -> float | None:
        return self.gifts / self.impressions if self.impressions else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson_interval(self.gifts, self.impressions)

    @property
    def rpm(self) -> dict[str, Fraction]:
        """Monthly-equivalent revenue per thousand impressions, per currency."""
        if not self.impressions:
            return {}
        return {
            currency: total * 1000 / self.impressions
            for currency, total in sorted(self.revenue.items())
        }


@dataclass
class VariantResult(Figures):
    variant_id: int = 0
    appeal_id: int = 0
    appeal_name: str = ""
    weight: int = 1


@dataclass
class PageResult(Figures):
    variant_id: int = 0
    article_id: int = SUPPORT_PAGE
    title: str = ""


@dataclass(frozen=True)
class TestResults:
    variants: list[VariantResult]
    pages: list[PageResult]
    # The variant ahead with 95% confidence, and its smallest z against the others.
    ahead: VariantResult | None
    ahead_z: float | None


def appeal_test_results(*, test: AppealTest) -> TestResults:
    variants = {
        variant.pk: VariantResult(
            variant_id=variant.pk,
            appeal_id=variant.appeal_id,
            appeal_name=variant.appeal.name,
            weight=variant.weight,
        )
        for variant in test.variants.select_related("appeal").order_by("id")
    }
    pages: dict[tuple[int, int], PageResult] = {}

    def page(variant_id: int, article_id: int) -> PageResult:
        return pages.setdefault(
            (variant_id, article_id), PageResult(variant_id=variant_id, article_id=article_id)
        )

    for tally in AppealVariantTally.objects.filter(variant__test=test):
        for figures in (variants[tally.variant_id], page(tally.variant_id, tally.article_id)):
            figures.impressions += tally.impressions
            figures.form_starts += tally.form_starts
    for gift in _gifts(test):
        value = monthly_value(amount=gift["first_amount"], frequency=gift["frequency"])
        currency = gift["first_currency"]
        article_id = gift["source_article_id"] or SUPPORT_PAGE
        for figures in (
            variants[gift["appeal_variant_id"]],
            page(gift["appeal_variant_id"], article_id),
        ):
            figures.gifts += 1
            figures.revenue[currency] = figures.revenue.get(currency, Fraction(0)) + value
    _titles(pages.values())
    ahead, ahead_z = _ahead(list(variants.values()))
    return TestResults(
        variants=list(variants.values()),
        pages=sorted(pages.values(), key=lambda row: (-row.impressions, row.title, row.variant_id)),
        ahead=ahead,
        ahead_z=ahead_z,
    )


def _gifts(test: AppealTest) -> list[dict[str, Any]]:
    """Each confirmed gift made from the test: its first payment's amount and currency."""
    first = Payment.objects.filter(contribution=OuterRef("pk")).order_by("paid_at", "id")
    rows = (
        Contribution.objects.filter(appeal_variant__test=test)
        .annotate(
            first_amount=Subquery(first.values("amount")[:1]),
            first_currency=Subquery(first.values("currency")[:1]),
        )
        .filter(first_amount__isnull=False)
        .values(
            "appeal_variant_id", "source_article_id", "frequency", "first_amount", "first_currency"
        )
    )
    return [dict(row) for row in rows]


def _titles(rows: Iterable[PageResult]) -> None:
    rows = list(rows)
    ids = {row.article_id for row in rows if row.article_id != SUPPORT_PAGE}
    headlines = dict(Article.objects.filter(pk__in=ids).values_list("pk", "headline"))
    for row in rows:
        if row.article_id == SUPPORT_PAGE:
            row.title = "Support page"
        else:
            row.title = headlines.get(row.article_id, f"Deleted article #{row.article_id}")


def _ahead(variants: list[VariantResult]) -> tuple[VariantResult | None, float | None]:
    """The best-converting variant if it beats each other one with 95% confidence."""
    measured = [variant for variant in variants if variant.impressions]
    if len(measured) < 2:
        return None, None
    leader = max(measured, key=lambda variant: (variant.rate or 0.0, variant.impressions))
    scores = [
        two_proportion_z(leader.gifts, leader.impressions, other.gifts, other.impressions)
        for other in measured
        if other is not leader
    ]
    if any(score is None for score in scores):
        return None, None
    smallest = min(score for score in scores if score is not None)
    return (leader, smallest) if smallest >= Z_95 else (None, smallest)
