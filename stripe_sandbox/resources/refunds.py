"""Refunds: `POST /v1/refunds` with a charge or a payment intent."""

from typing import Any

from ..app import Sandbox
from ..expand import answer
from ..payments import refund_create
from ..registry import Resource, Route


def refunds_create(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    return answer(sb, params, refund_create(sb, params))


RESOURCES = (
    Resource(
        "refund",
        prefix="re_",
        path="refunds",
        links={
            "customer": "customer",
            "charge": "charge",
            "payment_intent": "payment_intent",
            "status": "status",
        },
        routes=(Route("POST", "/v1/refunds", refunds_create),),
    ),
)
