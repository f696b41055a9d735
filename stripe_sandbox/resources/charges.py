"""Charges, made by payment intents and invoices (../payments.py)."""

from typing import Any

from ..app import Sandbox
from ..registry import Resource


def charge_refunds(sb: Sandbox, charge: dict[str, Any]) -> dict[str, Any]:
    """`refunds`, which Stripe leaves out of a charge unless expanded."""
    from ..listing import paginate

    return paginate(sb, "refund", "/v1/refunds", {"charge": charge["id"], "limit": "100"})


RESOURCES = (
    Resource(
        "charge",
        prefix="ch_",
        path="charges",
        links={"customer": "customer", "payment_intent": "payment_intent", "status": "status"},
        included={"refunds": charge_refunds},
        nested=(
            "charge:billing_details",
            "charge:outcome",
            "charge:payment_method_details",
            "charge:payment_method_details:card",
        ),
    ),
)
