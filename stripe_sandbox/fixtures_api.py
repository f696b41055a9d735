"""Calls Stripe CLI `trigger` fixtures make: test payment methods, payment intents confirmed
by API, subscriptions and plans created by API (invoices are in invoicing_api.py)."""

from typing import Any

from .app import Sandbox
from .catalog import (
    TEST_PAYMENT_METHODS,
    customer_create,
    merged_metadata,
    payment_method_create,
    plan_from_price,
    price_create,
)
from .errors import InvalidRequest
from .expand import expand_params, present
from .forms import as_bool
from .payments import card_charge
from .settlement import dispute_open
from .subscriptions import subscription_start

TEST_TOKENS = {"tok_visa": "4242424242424242", "tok_chargeDeclined": "4000000000000002"}


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


def customers_create(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    customer = customer_create(
        sb, email=params.get("email"), name=params.get("name"), metadata=params.get("metadata")
    )
    changes: dict[str, Any] = {}
    if params.get("description"):
        changes["description"] = params["description"]
    method_id = params.get("payment_method") or params.get("source")
    attached = None
    if method_id:
        attached = resolve_payment_method(
            sb, method_id, customer_id=customer["id"], param="payment_method"
        )
    settings = params.get("invoice_settings") or {}
    default_id = settings.get("default_payment_method") or (
        params.get("source") and attached and attached["id"]
    )
    if default_id:
        if attached and default_id in (method_id, attached["id"]):
            default = attached
        else:
            default = resolve_payment_method(
                sb,
                default_id,
                customer_id=customer["id"],
                param="invoice_settings[default_payment_method]",
            )
        changes["invoice_settings"] = dict(customer["invoice_settings"]) | {
            "default_payment_method": default["id"]
        }
    customer.update(changes)
    sb.save(customer)
    return present(sb, customer, expand_params(params))


def payment_methods_create(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    card = params.get("card") or {}
    number = TEST_TOKENS.get(card.get("token", "tok_visa"))
    if params.get("type", "card") != "card" or number is None:
        raise InvalidRequest("Only card payment methods from test tokens.", param="card[token]")
    payment_method = payment_method_create(
        sb,
        card_number=number,
        exp_month=12,
        exp_year=2034,
        customer_id=None,
        email=(params.get("billing_details") or {}).get("email"),
    )
    return present(sb, payment_method, expand_params(params))


def payment_methods_attach(sb: Sandbox, params: dict[str, Any], method_id: str) -> dict:
    if not params.get("customer"):
        raise InvalidRequest("Missing required param: customer.", param="customer")
    customer = sb.get(params["customer"], "customer", param="customer")
    payment_method = resolve_payment_method(
        sb, method_id, customer_id=customer["id"], param="payment_method"
    )
    return present(sb, payment_method, expand_params(params))


def payment_intents_create(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    try:
        amount = int(params.get("amount", ""))
    except ValueError:
        raise InvalidRequest("Missing required param: amount.", param="amount") from None
    currency = str(params.get("currency") or "").lower()
    if not currency:
        raise InvalidRequest("Missing required param: currency.", param="currency")
    if not (as_bool(params.get("confirm")) and params.get("payment_method")):
        raise InvalidRequest(
            "The sandbox only creates payment intents with confirm=true and a payment_method.",
            param="confirm",
        )
    customer_id = params.get("customer") or None
    if customer_id:
        sb.get(customer_id, "customer", param="customer")
    payment_method = resolve_payment_method(
        sb, params["payment_method"], customer_id=customer_id, param="payment_method"
    )
    intent, charge, decline = card_charge(
        sb,
        amount=amount,
        currency=currency,
        customer_id=customer_id,
        payment_method=payment_method,
        description=params.get("description"),
        metadata=merged_metadata(None, params.get("metadata")),
        receipt_email=params.get("receipt_email"),
        at_checkout=False,
    )
    if decline:
        decline.extra["payment_intent"] = intent
        raise decline
    if payment_method["card"]["fingerprint"] == "dispute":
        dispute_open(sb, charge["id"])
    return present(sb, intent, expand_params(params))


def subscriptions_create(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    customer = sb.get(params.get("customer", ""), "customer", param="customer")
    raw_items = params.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise InvalidRequest("Missing required param: items.", param="items")
    prices = []
    for index, raw in enumerate(raw_items):
        param = f"items[{index}]"
        if raw.get("price") or raw.get("plan"):
            price = sb.get(raw.get("price") or raw["plan"], "price", param=f"{param}[price]")
        elif raw.get("price_data"):
            price = price_create(sb, raw["price_data"], param_prefix=f"{param}[price_data]")
        else:
            raise InvalidRequest("Missing required param: price.", param=f"{param}[price]")
        if not price["recurring"]:
            raise InvalidRequest("The price specified is not recurring.", param=f"{param}[price]")
        prices.append(price)
    method_id = params.get("default_payment_method") or (customer["invoice_settings"] or {}).get(
        "default_payment_method"
    )
    if not method_id:
        raise InvalidRequest(
            "This customer has no attached payment source or default payment method.",
            param="default_payment_method",
        )
    payment_method = resolve_payment_method(
        sb, method_id, customer_id=customer["id"], param="default_payment_method"
    )
    subscription, _ = subscription_start(
        sb,
        customer_id=customer["id"],
        prices=prices,
        payment_method_id=payment_method["id"],
        metadata=merged_metadata(None, params.get("metadata")),
        at_checkout=False,
    )
    return present(sb, subscription, expand_params(params))


def plans_create(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    product = params.get("product")
    price_params = {
        "currency": params.get("currency"),
        "unit_amount": params.get("amount"),
        "recurring": {
            "interval": params.get("interval"),
            "interval_count": params.get("interval_count") or 1,
        },
        "metadata": params.get("metadata"),
    }
    if isinstance(product, dict):
        price_params["product_data"] = product
    else:
        price_params["product"] = product
    return plan_from_price(price_create(sb, price_params))


def plans_retrieve(sb: Sandbox, params: dict[str, Any], plan_id: str) -> dict[str, Any]:
    return plan_from_price(sb.get(plan_id, "price"))


FIXTURE_ROUTES = [
    ("POST", r"/v1/customers", customers_create),
    ("POST", r"/v1/payment_methods", payment_methods_create),
    ("POST", r"/v1/payment_methods/([^/]+)/attach", payment_methods_attach),
    ("POST", r"/v1/payment_intents", payment_intents_create),
    ("POST", r"/v1/subscriptions", subscriptions_create),
    ("POST", r"/v1/plans", plans_create),
    ("GET", r"/v1/plans/([^/]+)", plans_retrieve),
]
