"""What the appeal block needs to render, as plain data that is cheap to cache."""

from dataclasses import dataclass, field

from django.conf import settings

from subscriptions.money import currency_decimals
from subscriptions.pledges import Frequency

from .models.appeal import DEFAULT_BODY, DEFAULT_HEADING

# Suggested amounts in major units, used for new appeals and when none is live.
DEFAULT_AMOUNTS: dict[str, tuple[int, ...]] = {
    Frequency.MONTH: (2, 5, 10),
    Frequency.YEAR: (50, 100, 200),
    Frequency.ONCE: (10, 25, 50),
}


# A monthly gift about a quarter of the one-time amount: over a few months it gives more.
UPSELL_RATIO = 4


def default_amounts_minor(*, currency: str) -> dict[str, list[int]]:
    scale = 10 ** currency_decimals(currency)
    return {
        frequency: [major * scale for major in majors]
        for frequency, majors in DEFAULT_AMOUNTS.items()
    }


@dataclass(frozen=True)
class AppealConfig:
    heading: str
    body: str
    default_frequency: str
    # {currency: {frequency: [amount in minor units, ...]}}
    amounts: dict[str, dict[str, list[int]]] = field(default_factory=dict)

    def suggested(self, *, currency: str, frequency: str) -> list[int]:
        by_frequency = self.amounts.get(currency) or default_amounts_minor(currency=currency)
        return by_frequency.get(frequency) or default_amounts_minor(currency=currency)[frequency]

    def monthly_offer(self, *, currency: str, once_minor: int) -> int | None:
        """The monthly gift offered to a reader who chose to give `once_minor` once: the
        largest suggested monthly amount at most a quarter of it, else the smallest one
        below it; None when no suggested monthly amount is smaller."""
        smaller = [
            minor
            for minor in self.suggested(currency=currency, frequency=Frequency.MONTH)
            if minor < once_minor
        ]
        if not smaller:
            return None
        quarter = [minor for minor in smaller if minor * UPSELL_RATIO <= once_minor]
        return max(quarter) if quarter else min(smaller)


def appeal_config_default() -> AppealConfig:
    """The built-in appeal, so article pages keep their form when no appeal is live."""
    return AppealConfig(
        heading=DEFAULT_HEADING,
        body=DEFAULT_BODY,
        default_frequency=Frequency.MONTH,
        amounts={
            currency: default_amounts_minor(currency=currency)
            for currency in settings.CONTRIBUTION_CURRENCIES
        },
    )
