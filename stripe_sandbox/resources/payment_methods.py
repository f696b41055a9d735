"""Card payment methods: from test tokens, and attached to customers."""

from typing import Any

from ..app import Sandbox
from ..catalog import TEST_TOKENS, payment_method_create, resolve_payment_method
from ..errors import InvalidRequest
from ..expand import answer
from ..registry import Resource, Route


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
    return answer(sb, params, payment_method)


def payment_methods_attach(sb: Sandbox, params: dict[str, Any], method_id: str) -> dict:
    if not params.get("customer"):
        raise InvalidRequest("Missing required param: customer.", param="customer")
    customer = sb.get(params["customer"], "customer", param="customer")
    payment_method = resolve_payment_method(
        sb, method_id, customer_id=customer["id"], param="payment_method"
    )
    return answer(sb, params, payment_method)


RESOURCES = (
    Resource(
        "payment_method",
        prefix="pm_",
        path="payment_methods",
        links={"customer": "customer"},
        routes=(
            Route("POST", "/v1/payment_methods", payment_methods_create),
            Route("POST", "/v1/payment_methods/{id}/attach", payment_methods_attach),
        ),
        nested=("payment_method:card",),
    ),
)
