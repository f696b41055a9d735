"""Charges, made by payment intents and invoices (../payments.py)."""

from ..registry import Resource

RESOURCES = (
    Resource(
        "charge",
        prefix="ch_",
        path="charges",
        links={"customer": "customer", "payment_intent": "payment_intent", "status": "status"},
        nested=(
            "charge:billing_details",
            "charge:outcome",
            "charge:payment_method_details",
            "charge:payment_method_details:card",
        ),
    ),
)
