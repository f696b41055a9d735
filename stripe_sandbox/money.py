"""Minor-unit arithmetic. Amounts are integers; Decimal only for the rounding step."""

from decimal import ROUND_HALF_UP, Decimal

ZERO_DECIMAL_CURRENCIES = frozenset(
    [
        "bif",
        "clp",
        "djf",
        "gnf",
        "jpy",
        "kmf",
        "krw",
        "mga",
        "pyg",
        "rwf",
        "ugx",
        "vnd",
        "vuv",
        "xaf",
        "xof",
        "xpf",
    ]
)
CARD_FEE_RATE = Decimal("0.015")
CARD_FEE_FIXED_MAJOR = Decimal("0.25")
DISPUTE_FEE_MAJOR = Decimal("15.00")


def minor_unit_factor(currency: str) -> int:
    return 1 if currency.lower() in ZERO_DECIMAL_CURRENCIES else 100


def to_minor(currency: str, major: Decimal) -> Decimal:
    return major * minor_unit_factor(currency)


def round_half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def card_fee(amount: int, currency: str) -> int:
    """1.5% + 0.25 of the charge currency, rounded once, half up, to the minor unit."""
    return round_half_up(Decimal(amount) * CARD_FEE_RATE + to_minor(currency, CARD_FEE_FIXED_MAJOR))


def dispute_fee(currency: str) -> int:
    return round_half_up(to_minor(currency, DISPUTE_FEE_MAJOR))


def format_amount(amount: int, currency: str) -> str:
    factor = minor_unit_factor(currency)
    if factor == 1:
        return f"{currency.upper()} {amount:,}"
    return f"{currency.upper()} {Decimal(amount) / factor:,.2f}"


# Fixed exchange rates, as units of euro per unit of each currency (README.md lists them).
# A rate between two currencies is the ratio of theirs, kept to six decimal places as
# Stripe's `exchange_rate` is; a charge is converted once and its refunds and disputes
# later at that same rate.
EUR_PER_UNIT = {
    "eur": Decimal("1"),
    "usd": Decimal("0.92"),
    "gbp": Decimal("1.17"),
    "chf": Decimal("1.05"),
    "sek": Decimal("0.087"),
    "dkk": Decimal("0.134"),
    "nok": Decimal("0.085"),
    "pln": Decimal("0.23"),
    "cad": Decimal("0.68"),
    "aud": Decimal("0.61"),
    "jpy": Decimal("0.0062"),
}
RATE_PLACES = Decimal("0.000001")


def exchange_rate(charge_currency: str, settlement_currency: str) -> Decimal | None:
    """Units of the settlement currency per unit of the charge's; None for the same one."""
    if charge_currency == settlement_currency:
        return None
    try:
        ratio = EUR_PER_UNIT[charge_currency] / EUR_PER_UNIT[settlement_currency]
    except KeyError:
        return None
    return ratio.quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def convert(amount: int, charge_currency: str, settlement_currency: str, rate: Decimal) -> int:
    """An amount in minor units of one currency, in minor units of the other, half up."""
    major = Decimal(amount) / minor_unit_factor(charge_currency)
    return round_half_up(major * rate * minor_unit_factor(settlement_currency))
