"""Products: `POST /v1/products`."""

from typing import Any

from ..app import Sandbox
from ..catalog import product_create
from ..expand import answer
from ..registry import Resource, Route


def products_create(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    product = product_create(sb, name=params.get("name", ""), metadata=params.get("metadata"))
    return answer(sb, params, product)


RESOURCES = (
    Resource(
        "product",
        prefix="prod_",
        path="products",
        routes=(Route("POST", "/v1/products", products_create),),
    ),
)
