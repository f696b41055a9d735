"""Customers, products, prices and card payment methods."""

from typing import Any

from .app import Sandbox
from .errors import InvalidRequest
from .ids import new_id
from .shapes import nested, skeleton

INTERVALS = ("day", "week", "month", "year")
CARD_BRANDS = {"4": "visa", "5": "mastercard", "3": "amex"}
# The well-known `pm_card_*` test payment methods and the card number each stands for.
TEST_PAYMENT_METHODS = {
    "pm_card_visa": "4242424242424242",
    "pm_card_mastercard": "5555555555554444",
    "pm_card_chargeDeclined": "4000000000000002",
    "pm_card_visa_chargeDeclined": "4000000000000002",
    "pm_card_createDispute": "4000000000000259",
    "pm_card_createDisputeInquiry": "4000000000000259",
    "pm_card_chargeDeclinedInsufficientFunds": "4000000000009995",
    "pm_card_chargeCustomerFail": "4000000000000341",
    "pm_card_authenticationRequired": "4000002760003184",
    "pm_card_threeDSecureRequired": "4000002760003184",
}
TEST_TOKENS = {"tok_visa": "4242424242424242", "tok_chargeDeclined": "4000000000000002"}


def merged_metadata(current: dict[str, str] | None, given: Any) -> dict[str, str]:
    """Stripe semantics: keys merge, an empty value deletes a key, `metadata=""` clears all."""
    if given in (None, ""):
        return {} if given == "" else dict(current or {})
    if not isinstance(given, dict):
        raise InvalidRequest("Invalid metadata: must be a hash of string keys.", param="metadata")
    merged = dict(current or {})
    for key, value in given.items():
        if value == "":
            merged.pop(key, None)
        else:
            merged[key] = str(value)
    return merged


def customer_create(
    sb: Sandbox, *, email: str | None, name: str | None, metadata: Any = None
) -> dict[str, Any]:
    customer = skeleton(
        "customer",
        id=new_id("cus_"),
        created=sb.now(),
        email=email or None,
        name=name or None,
        metadata=merged_metadata(None, metadata),
        balance=0,
        delinquent=False,
        invoice_prefix=new_id("", 8).upper(),
        invoice_settings=nested("customer:invoice_settings"),
        next_invoice_sequence=1,
        preferred_locales=[],
        tax_exempt="none",
    )
    sb.save(customer)
    sb.emit("customer.created", customer)
    return customer


def product_create(sb: Sandbox, *, name: str, metadata: Any = None) -> dict[str, Any]:
    if not name:
        raise InvalidRequest("Missing required param: name.", param="name")
    now = sb.now()
    product = skeleton(
        "product",
        id=new_id("prod_"),
        name=name,
        active=True,
        created=now,
        updated=now,
        type="service",
        metadata=merged_metadata(None, metadata),
    )
    return sb.save(product)


def price_create(sb: Sandbox, params: dict[str, Any], param_prefix: str = "") -> dict[str, Any]:
    """Create a price from `price` params or an inline `price_data` hash."""

    def param(*names: str) -> str:
        if param_prefix:
            return param_prefix + "".join(f"[{name}]" for name in names)
        return names[0] + "".join(f"[{name}]" for name in names[1:])

    currency = str(params.get("currency") or "").lower()
    if len(currency) != 3:
        raise InvalidRequest("Missing required param: currency.", param=param("currency"))
    try:
        unit_amount = int(params["unit_amount"])
    except (KeyError, ValueError):
        raise InvalidRequest(
            "Missing or invalid param: unit_amount (an integer in minor units).",
            param=param("unit_amount"),
        ) from None
    if unit_amount < 0:
        raise InvalidRequest("unit_amount must be >= 0.", param=param("unit_amount"))
    product_id = params.get("product")
    if product_id:
        sb.get(product_id, "product", param=param("product"))
    else:
        product_data = params.get("product_data") or {}
        product_id = product_create(
            sb, name=product_data.get("name", ""), metadata=product_data.get("metadata")
        )["id"]
    recurring = None
    if params.get("recurring"):
        interval = params["recurring"].get("interval")
        if interval not in INTERVALS:
            raise InvalidRequest(
                f"Invalid interval: must be one of {', '.join(INTERVALS)}.",
                param=param("recurring", "interval"),
            )
        recurring = nested(
            "price:recurring",
            interval=interval,
            interval_count=int(params["recurring"].get("interval_count") or 1),
        )
    price = skeleton(
        "price",
        id=new_id("price_"),
        active=True,
        created=sb.now(),
        currency=currency,
        product=product_id,
        recurring=recurring,
        type="recurring" if recurring else "one_time",
        unit_amount=unit_amount,
        unit_amount_decimal=str(unit_amount),
        metadata=merged_metadata(None, params.get("metadata")),
        tax_behavior="unspecified",
    )
    return sb.save(price)


def plan_from_price(price: dict[str, Any]) -> dict[str, Any]:
    recurring = price["recurring"] or {}
    return skeleton(
        "plan",
        id=price["id"],
        active=price["active"],
        amount=price["unit_amount"],
        amount_decimal=price["unit_amount_decimal"],
        created=price["created"],
        currency=price["currency"],
        interval=recurring.get("interval", "month"),
        interval_count=recurring.get("interval_count", 1),
        metadata=price["metadata"],
        product=price["product"],
    )


CARD_BEHAVIOURS = {
    "4000002760003184": "authentication_required",
    "4000000000005126": "refund_fails",
    "4000000000000259": "dispute",
    "4000000000000002": "decline",
    "4000000000009995": "insufficient_funds",
    "4000000000000341": "fails_later",
}


def card_behaviour(card_number: str) -> str:
    """What a test card does: ok, decline, insufficient_funds, fails_later, dispute, or
    authentication_required (3-D Secure on every charge; the hosted checkout completes it), or
    refund_fails (charges succeed; a refund stays pending, then fails a day later)."""
    return CARD_BEHAVIOURS.get(card_number, "ok")


def card_number_for(behaviour: str) -> str:
    """A test card number that behaves so (the sandbox keeps behaviours, not numbers)."""
    numbers = {value: number for number, value in CARD_BEHAVIOURS.items()}
    return numbers.get(behaviour, "4242424242424242")


def payment_method_create(
    sb: Sandbox,
    *,
    card_number: str,
    exp_month: int,
    exp_year: int,
    customer_id: str | None,
    email: str | None = None,
    name: str | None = None,
) -> dict[str, Any]:
    card = nested(
        "payment_method:card",
        brand=CARD_BRANDS.get(card_number[:1], "visa"),
        display_brand=CARD_BRANDS.get(card_number[:1], "visa"),
        country="US",
        exp_month=exp_month,
        exp_year=exp_year,
        funding="credit",
        last4=card_number[-4:],
        # The sandbox keeps no card numbers; the fingerprint names the test behaviour instead.
        fingerprint=card_behaviour(card_number),
    )
    payment_method = skeleton(
        "payment_method",
        id=new_id("pm_"),
        type="card",
        card=card,
        created=sb.now(),
        customer=customer_id,
        billing_details=nested("charge:billing_details", email=email, name=name),
        allow_redisplay="unspecified",
        metadata={},
    )
    sb.save(payment_method)
    if customer_id:
        sb.emit("payment_method.attached", payment_method)
    return payment_method


def validate_card(params: dict[str, Any]) -> tuple[str, int, int]:
    """Card number and expiry from a hosted-page form; raises with a sentence to show."""
    number = "".join(str(params.get("card_number", "")).split())
    if not number.isdigit() or not 12 <= len(number) <= 19 or not luhn_valid(number):
        raise InvalidRequest("Your card number is incomplete or invalid.", param="card_number")
    try:
        exp_month = int(params.get("exp_month", ""))
        exp_year = int(params.get("exp_year", ""))
    except ValueError:
        raise InvalidRequest("Enter the expiry month and year.", param="exp_month") from None
    if exp_year < 100:
        exp_year += 2000
    if not 1 <= exp_month <= 12:
        raise InvalidRequest("Your card's expiration month is invalid.", param="exp_month")
    return number, exp_month, exp_year


def luhn_valid(number: str) -> bool:
    total = 0
    for index, digit in enumerate(reversed(number)):
        value = int(digit)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def resolve_payment_method(
    sb: Sandbox, method_id: str, *, customer_id: str | None, param: str
) -> dict[str, Any]:
    """A stored payment method, or a fresh one for a `pm_card_*` test alias, as Stripe does."""
    number = TEST_PAYMENT_METHODS.get(method_id) or TEST_TOKENS.get(method_id)
    if number is None:
        payment_method = sb.get(method_id, "payment_method", param=param)
        if customer_id and payment_method["customer"] != customer_id:
            payment_method["customer"] = customer_id
            sb.save(payment_method)
            sb.emit("payment_method.attached", payment_method)
        return payment_method
    return payment_method_create(
        sb, card_number=number, exp_month=12, exp_year=2034, customer_id=customer_id
    )
