"""Stripe's card fee, and the gift that covers it. Integers of minor units throughout."""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from .money import currency_decimals


def _fixed_fee(currency: str) -> Decimal:
    return settings.STRIPE_FEE_FIXED.scaleb(currency_decimals(currency))


def stripe_fee(amount: int, *, currency: str) -> int:
    """The fee Stripe takes from a charge of `amount`, rounded half up to the minor unit."""
    fee = Decimal(amount) * settings.STRIPE_FEE_PERCENT / 100 + _fixed_fee(currency)
    return int(fee.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def amount_covering_fees(amount: int, *, currency: str) -> int:
    """The smallest charge that leaves at least `amount` after Stripe's fee."""
    rate = settings.STRIPE_FEE_PERCENT / 100
    total = int(((Decimal(amount) + _fixed_fee(currency)) / (1 - rate)).to_integral_value())
    while total - stripe_fee(total, currency=currency) < amount:
        total += 1
    while total - 1 - stripe_fee(total - 1, currency=currency) >= amount:
        total -= 1
    return total


def fee_terms(*, currency: str) -> dict[str, int]:
    """Stripe's fee in `currency` as whole numbers, for the appeal's script to show what
    "cover the fees" adds while the reader types: stripe_fee(amount) is amount × rate +
    fixed, rounded half up, with rate and fixed each a numerator over a denominator (the
    fixed part of a zero-decimal currency is a fraction of its unit). The browser test of
    the appeal ties the script's answers to amount_covering_fees."""
    rate_numerator, rate_denominator = (settings.STRIPE_FEE_PERCENT / 100).as_integer_ratio()
    fixed_numerator, fixed_denominator = _fixed_fee(currency).as_integer_ratio()
    return {
        "rate_numerator": rate_numerator,
        "rate_denominator": rate_denominator,
        "fixed_numerator": fixed_numerator,
        "fixed_denominator": fixed_denominator,
    }
