"""Invoices: made by API as Stripe CLI fixtures do (create, finalize, pay), their lines and
payments, and the payment-retry job of subscription invoices."""

from typing import Any

from ..app import Sandbox
from ..catalog import merged_metadata, resolve_payment_method
from ..errors import InvalidRequest
from ..expand import answer, list_object
from ..ids import new_id
from ..invoices import invoice_attempt_payment, invoice_draft, invoice_finalize
from ..periods import invoice_retry
from ..registry import Resource, Route
from ..shapes import nested, skeleton


def invoice_line_for_item(invoice_id: str, item: dict[str, Any]) -> dict[str, Any]:
    return skeleton(
        "line_item",
        id=new_id("il_"),
        amount=item["amount"],
        currency=item["currency"],
        description=item["description"],
        discountable=True,
        invoice=invoice_id,
        metadata=item["metadata"],
        parent=nested(
            "line_item:parent",
            type="invoice_item_details",
            invoice_item_details={
                "invoice_item": item["id"],
                "proration": False,
                "proration_details": None,
                "subscription": None,
            },
        ),
        period=item["period"],
        quantity=item["quantity"],
        subtotal=item["amount"],
        taxes=[],
    )


def invoices_create(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    customer = sb.get(params.get("customer", ""), "customer", param="customer")
    invoice_id = new_id("in_")
    pending = []
    if params.get("pending_invoice_items_behavior") == "include":
        pending, _ = sb.store.page(
            "invoiceitem",
            filters={"customer": customer["id"], "status": "pending"},
            exclude_status=None,
            limit=100,
            starting_after=None,
            ending_before=None,
        )
    currency = str(params.get("currency") or (pending[0]["currency"] if pending else "usd"))
    lines = [invoice_line_for_item(invoice_id, item) for item in pending]
    now = sb.now()
    invoice = invoice_draft(
        sb,
        invoice_id=invoice_id,
        customer_id=customer["id"],
        currency=currency,
        lines=lines,
        billing_reason="manual",
        parent=None,
        period=(now, now),
        description=params.get("description"),
    )
    for item in pending:
        item["invoice"] = invoice_id
        sb.save(item, status="invoiced")
    if params.get("metadata"):
        invoice["metadata"] = merged_metadata(None, params["metadata"])
        sb.save(invoice)
    return answer(sb, params, invoice)


def invoices_finalize(sb: Sandbox, params: dict[str, Any], invoice_id: str) -> dict:
    invoice = sb.get(invoice_id, "invoice")
    if invoice["status"] != "draft":
        raise InvalidRequest("This invoice is already finalized.", param="invoice")
    return answer(sb, params, invoice_finalize(sb, invoice))


def invoices_pay(sb: Sandbox, params: dict[str, Any], invoice_id: str) -> dict[str, Any]:
    invoice = sb.get(invoice_id, "invoice")
    if invoice["status"] == "draft":
        invoice = invoice_finalize(sb, invoice)
    if invoice["status"] != "open":
        raise InvalidRequest("Invoice is already paid.", param="invoice")
    customer = sb.get(invoice["customer"], "customer")
    method_id = params.get("payment_method") or (customer["invoice_settings"] or {}).get(
        "default_payment_method"
    )
    if not method_id:
        raise InvalidRequest(
            "The customer has no default payment method; pass payment_method.",
            param="payment_method",
        )
    payment_method = resolve_payment_method(
        sb, method_id, customer_id=customer["id"], param="payment_method"
    )
    decline = invoice_attempt_payment(
        sb, invoice, payment_method_id=payment_method["id"], at_checkout=False
    )
    if decline:
        raise decline
    return answer(sb, params, invoice)


def invoice_lines(sb: Sandbox, params: dict[str, Any], invoice_id: str) -> dict[str, Any]:
    return sb.get(invoice_id, "invoice")["lines"]


def invoice_payments(sb: Sandbox, invoice: dict[str, Any]) -> dict[str, Any]:
    payments, has_more = sb.store.page(
        "invoice_payment",
        filters={"invoice": invoice["id"]},
        exclude_status=None,
        limit=10,
        starting_after=None,
        ending_before=None,
    )
    return list_object(payments, f"/v1/invoices/{invoice['id']}/payments", has_more)


RESOURCES = (
    Resource(
        "invoice",
        prefix="in_",
        path="invoices",
        links={
            "customer": "customer",
            "subscription": "parent.subscription_details.subscription",
            "status": "status",
            "charge": None,
            "payment_intent": None,
        },
        included={"payments": invoice_payments},
        routes=(
            Route("POST", "/v1/invoices", invoices_create),
            Route("POST", "/v1/invoices/{id}/finalize", invoices_finalize),
            Route("POST", "/v1/invoices/{id}/pay", invoices_pay),
            Route("GET", "/v1/invoices/{id}/lines", invoice_lines),
        ),
        jobs={"retry": invoice_retry},
        nested=("invoice:parent", "invoice:parent:subscription_details"),
    ),
    Resource(
        "line_item",
        nested=(
            "line_item:parent",
            "line_item:parent:subscription_item_details",
            "line_item:pricing",
            "line_item:pricing:price_details",
        ),
    ),
)
