"""Invoice items, as Stripe CLI fixtures create them before an invoice."""

from typing import Any

from ..app import Sandbox
from ..catalog import merged_metadata
from ..errors import InvalidRequest
from ..expand import answer
from ..ids import new_id
from ..registry import Resource, Route
from ..shapes import skeleton


def invoiceitems_create(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    customer = sb.get(params.get("customer", ""), "customer", param="customer")
    if params.get("price"):
        price = sb.get(params["price"], "price", param="price")
        amount, currency = price["unit_amount"], price["currency"]
    else:
        try:
            amount = int(params["amount"])
        except (KeyError, ValueError):
            raise InvalidRequest("Missing required param: amount.", param="amount") from None
        currency = str(params.get("currency") or "").lower()
    now = sb.now()
    item = skeleton(
        "invoiceitem",
        id=new_id("ii_"),
        amount=amount,
        currency=currency,
        customer=customer["id"],
        date=now,
        description=params.get("description"),
        discountable=True,
        metadata=merged_metadata(None, params.get("metadata")),
        period={"start": now, "end": now},
        quantity=1,
    )
    sb.save(item, status="pending")
    sb.emit("invoiceitem.created", item)
    return answer(sb, params, item)


RESOURCES = (
    Resource(
        "invoiceitem",
        prefix="ii_",
        links={"customer": "customer", "invoice": "invoice", "status": None},
        routes=(Route("POST", "/v1/invoiceitems", invoiceitems_create),),
    ),
)
