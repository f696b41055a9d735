"""Subscription invoices: build, finalize, and collect payment."""

from typing import Any

from .app import Sandbox
from .errors import CardDeclined
from .ids import new_id
from .money import format_amount
from .payments import card_charge
from .shapes import nested, skeleton

RETRY_AFTER_DAYS = (3, 5, 7)  # a Stripe-like smart-retry schedule: about two weeks in all
CHARGE_DESCRIPTIONS = {
    "subscription_create": "Subscription creation",
    "subscription_cycle": "Subscription update",
    "subscription_update": "Subscription update",
}


def invoice_create(
    sb: Sandbox,
    subscription: dict[str, Any],
    *,
    billing_reason: str,
    period_start: int,
    period_end: int,
) -> dict[str, Any]:
    """A finalized invoice for the subscription's current items (not yet paid)."""
    return invoice_finalize(
        sb,
        invoice_draft_for(
            sb,
            subscription,
            billing_reason=billing_reason,
            period_start=period_start,
            period_end=period_end,
        ),
    )


def invoice_draft_for(
    sb: Sandbox,
    subscription: dict[str, Any],
    *,
    billing_reason: str,
    period_start: int,
    period_end: int,
) -> dict[str, Any]:
    """A draft invoice for the subscription's current items."""
    invoice_id = new_id("in_")
    lines = [invoice_line(sb, invoice_id, subscription, item) for item in item_list(subscription)]
    parent = nested(
        "invoice:parent",
        type="subscription_details",
        subscription_details=nested(
            "invoice:parent:subscription_details",
            subscription=subscription["id"],
            metadata=dict(subscription["metadata"]),
        ),
    )
    return invoice_draft(
        sb,
        invoice_id=invoice_id,
        customer_id=subscription["customer"],
        currency=subscription["currency"],
        lines=lines,
        billing_reason=billing_reason,
        parent=parent,
        period=(period_start, period_end),
    )


def invoice_draft(
    sb: Sandbox,
    *,
    invoice_id: str,
    customer_id: str,
    currency: str,
    lines: list[dict[str, Any]],
    billing_reason: str,
    parent: dict[str, Any] | None,
    period: tuple[int, int],
    description: str | None = None,
) -> dict[str, Any]:
    customer = sb.get(customer_id, "customer")
    total = sum(line["amount"] for line in lines)
    invoice = skeleton(
        "invoice",
        id=invoice_id,
        account_country="US",
        account_name="Newsroom (sandbox)",
        amount_due=total,
        amount_remaining=total,
        billing_reason=billing_reason,
        created=sb.now(),
        currency=currency,
        customer=customer["id"],
        customer_email=customer["email"],
        customer_name=customer["name"],
        customer_tax_exempt="none",
        customer_tax_ids=[],
        description=description,
        lines={
            "object": "list",
            "data": lines,
            "has_more": False,
            "url": f"/v1/invoices/{invoice_id}/lines",
        },
        metadata={},
        parent=parent,
        period_start=period[0],
        period_end=period[1],
        status="draft",
        subtotal=total,
        subtotal_excluding_tax=total,
        total=total,
        total_excluding_tax=total,
        total_discount_amounts=[],
        total_pretax_credit_amounts=[],
        total_taxes=[],
        auto_advance=True,
        starting_balance=0,
        ending_balance=0,
    )
    sb.save(invoice)
    sb.emit("invoice.created", invoice)
    return invoice


def invoice_finalize(sb: Sandbox, invoice: dict[str, Any]) -> dict[str, Any]:
    customer = sb.get(invoice["customer"], "customer")
    sequence = customer.get("next_invoice_sequence") or 1
    customer["next_invoice_sequence"] = sequence + 1
    sb.save(customer)
    now = sb.now()
    invoice.update(
        status="open",
        number=f"{customer['invoice_prefix']}-{sequence:04d}",
        effective_at=now,
        hosted_invoice_url=f"{sb.public_base}/invoices/{invoice['id']}",
        ending_balance=0,
    )
    invoice["status_transitions"]["finalized_at"] = now
    sb.save(invoice)
    sb.emit("invoice.finalized", invoice)
    return invoice


def item_list(subscription: dict[str, Any]) -> list[dict[str, Any]]:
    return subscription["items"]["data"]


def invoice_line(
    sb: Sandbox, invoice_id: str, subscription: dict[str, Any], item: dict[str, Any]
) -> dict[str, Any]:
    price = item["price"]
    quantity = item.get("quantity") or 1
    amount = price["unit_amount"] * quantity
    product = sb.store.get(price["product"]) or {"name": "Support"}
    interval = (price.get("recurring") or {}).get("interval", "")
    return skeleton(
        "line_item",
        id=new_id("il_"),
        amount=amount,
        currency=price["currency"],
        description=(
            f"{quantity} × {product['name']} "
            f"(at {format_amount(price['unit_amount'], price['currency'])} / {interval})"
        ),
        discountable=True,
        invoice=invoice_id,
        metadata=dict(subscription["metadata"]),
        parent=nested(
            "line_item:parent",
            type="subscription_item_details",
            subscription_item_details=nested(
                "line_item:parent:subscription_item_details",
                subscription=subscription["id"],
                subscription_item=item["id"],
            ),
        ),
        period={"start": item["current_period_start"], "end": item["current_period_end"]},
        pricing=nested(
            "line_item:pricing",
            price_details=nested(
                "line_item:pricing:price_details", price=price["id"], product=price["product"]
            ),
            unit_amount_decimal=price["unit_amount_decimal"],
        ),
        quantity=quantity,
        subscription=subscription["id"],
        subtotal=amount,
        taxes=[],
    )


def open_payment_id(invoice: dict[str, Any]) -> str:
    return f"inpay_{invoice['id'].removeprefix('in_')}"


def invoice_payment_open(
    sb: Sandbox,
    invoice: dict[str, Any],
    intent: dict[str, Any],
    existing: dict[str, Any] | None,
) -> dict[str, Any]:
    """The invoice's payment that awaits the cardholder, as its invoice_payment lists it."""
    payment = existing or skeleton(
        "invoice_payment",
        id=open_payment_id(invoice),
        amount_requested=invoice["amount_due"],
        created=sb.now(),
        currency=invoice["currency"],
        invoice=invoice["id"],
        is_default=True,
        status="open",
        status_transitions={"canceled_at": None, "paid_at": None},
    )
    payment["payment"] = nested(
        "invoice_payment:payment", type="payment_intent", payment_intent=intent["id"]
    )
    return sb.save(payment)


def invoice_attempt_payment(
    sb: Sandbox, invoice: dict[str, Any], *, payment_method_id: str, at_checkout: bool
) -> CardDeclined | None:
    """Charge the card once; on success mark the invoice paid, else return the decline."""
    payment_method = sb.get(payment_method_id, "payment_method", param="payment_method")
    customer = sb.get(invoice["customer"], "customer")
    intent, charge, decline = card_charge(
        sb,
        amount=invoice["amount_due"],
        currency=invoice["currency"],
        customer_id=invoice["customer"],
        payment_method=payment_method,
        description=CHARGE_DESCRIPTIONS.get(invoice["billing_reason"], "Payment for Invoice"),
        metadata={},
        receipt_email=customer["email"],
        at_checkout=at_checkout,
    )
    now = sb.now()
    attempt_count = invoice["attempt_count"] + 1
    open_payment = sb.store.get(open_payment_id(invoice))
    if decline and decline.decline_code == "authentication_required":
        # The bank wants the cardholder: the invoice waits on its hosted page.
        open_payment = invoice_payment_open(sb, invoice, intent, open_payment)
    if decline:
        retries_done = attempt_count - 1
        next_attempt = (
            now + RETRY_AFTER_DAYS[retries_done] * 86400
            if retries_done < len(RETRY_AFTER_DAYS)
            else None
        )
        invoice.update(
            attempted=True, attempt_count=attempt_count, next_payment_attempt=next_attempt
        )
        sb.save(invoice)
        sb.emit("invoice.payment_failed", invoice)
        if decline.decline_code == "authentication_required":
            sb.emit("invoice.payment_action_required", invoice)
        return decline
    payment = skeleton(
        "invoice_payment",
        id=open_payment["id"] if open_payment else new_id("inpay_"),
        amount_paid=invoice["amount_due"],
        amount_requested=invoice["amount_due"],
        created=now,
        currency=invoice["currency"],
        invoice=invoice["id"],
        is_default=True,
        payment=nested(
            "invoice_payment:payment", type="payment_intent", payment_intent=intent["id"]
        ),
        status="paid",
        status_transitions={"canceled_at": None, "paid_at": now},
    )
    sb.save(payment)
    invoice.update(
        status="paid",
        attempted=True,
        attempt_count=attempt_count,
        amount_paid=invoice["amount_due"],
        amount_remaining=0,
        next_payment_attempt=None,
        default_payment_method=None,
    )
    invoice["status_transitions"]["paid_at"] = now
    sb.save(invoice, charge=charge["id"], payment_intent=intent["id"])
    sb.emit("invoice.paid", invoice)
    sb.emit("invoice.payment_succeeded", invoice)
    sb.emit("invoice_payment.paid", payment)
    return None
