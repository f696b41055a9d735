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
