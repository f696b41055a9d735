"""Prices, and the legacy plans Stripe CLI fixtures still create (a plan is a price)."""

from typing import Any

from ..app import Sandbox
from ..catalog import plan_from_price, price_create
from ..expand import answer
from ..registry import Resource, Route


def prices_create(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    return answer(sb, params, price_create(sb, params))


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


RESOURCES = (
    Resource(
        "price",
        prefix="price_",
        path="prices",
        links={"product": "product"},
        routes=(Route("POST", "/v1/prices", prices_create),),
        nested=("price:recurring",),
    ),
    Resource(
        "plan",
        routes=(
            Route("POST", "/v1/plans", plans_create),
            Route("GET", "/v1/plans/{id}", plans_retrieve),
        ),
    ),
)
