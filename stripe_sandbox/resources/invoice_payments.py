"""Invoice payments: how an invoice was paid (`GET /v1/invoice_payments?invoice=`)."""

from ..registry import Resource

RESOURCES = (
    Resource(
        "invoice_payment",
        prefix="inpay_",
        path="invoice_payments",
        links={"invoice": "invoice", "status": "status"},
        nested=("invoice_payment:payment",),
    ),
)
