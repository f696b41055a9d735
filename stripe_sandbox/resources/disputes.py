"""Disputes, opened and closed through the control API (../settlement.py)."""

from ..registry import Resource

RESOURCES = (
    Resource(
        "dispute",
        prefix="dp_",
        path="disputes",
        links={"charge": "charge", "payment_intent": "payment_intent", "status": "status"},
        nested=("dispute:evidence_details",),
    ),
)
