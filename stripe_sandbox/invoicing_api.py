"""Invoices made by API, as Stripe CLI fixtures do: invoice items, invoices, finalize, pay."""

from typing import Any

from .app import Sandbox
from .catalog import merged_metadata
from .errors import InvalidRequest
from .expand import expand_params, present
from .fixtures_api import resolve_payment_method
from .ids import new_id
from .invoices import invoice_attempt_payment, invoice_draft, invoice_finalize
from .shapes import nested, skeleton


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
    return present(sb, item, expand_params(params))


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
    return present(sb, invoice, expand_params(params))


def invoices_finalize(sb: Sandbox, params: dict[str, Any], invoice_id: str) -> dict:
    invoice = sb.get(invoice_id, "invoice")
    if invoice["status"] != "draft":
        raise InvalidRequest("This invoice is already finalized.", param="invoice")
    return present(sb, invoice_finalize(sb, invoice), expand_params(params))


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
    return present(sb, invoice, expand_params(params))


INVOICING_ROUTES = [
    ("POST", r"/v1/invoiceitems", invoiceitems_create),
    ("POST", r"/v1/invoices", invoices_create),
    ("POST", r"/v1/invoices/([^/]+)/finalize", invoices_finalize),
    ("POST", r"/v1/invoices/([^/]+)/pay", invoices_pay),
]
