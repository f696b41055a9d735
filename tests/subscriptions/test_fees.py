import pytest

from subscriptions.fees import amount_covering_fees, stripe_fee


@pytest.mark.parametrize(
    ("amount", "currency", "fee"),
    [
        (500, "eur", 33),  # 7.5 + 25 = 32.5, half up
        (1000, "eur", 40),
        (200, "gbp", 28),
        (1_000_000, "usd", 15025),
        (500, "jpy", 8),  # zero-decimal: 7.5 + 0.25 rounds half up to 8
    ],
)
def test_stripe_fee_is_one_and_a_half_percent_plus_a_quarter_rounded_half_up(amount, currency, fee):
    assert stripe_fee(amount, currency=currency) == fee


@pytest.mark.parametrize("amount", [200, 500, 750, 1000, 4999, 100_000, 1_000_000])
def test_covering_the_fees_leaves_exactly_the_gift_after_stripe_takes_its_fee(amount):
    total = amount_covering_fees(amount, currency="eur")

    assert total - stripe_fee(total, currency="eur") >= amount
    # …and it is the smallest such total: a cent less would leave less than the gift.
    assert (total - 1) - stripe_fee(total - 1, currency="eur") < amount
