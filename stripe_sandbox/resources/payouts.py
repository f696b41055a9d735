"""Payouts, made through the control API (`POST /_sandbox/payouts`)."""

from ..registry import Resource

RESOURCES = (Resource("payout", prefix="po_", path="payouts", links={"status": "status"}),)
