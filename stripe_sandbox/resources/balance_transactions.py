"""Balance transactions; `payout` is set when a payout sweeps them (../settlement.py)."""

from ..registry import Resource

RESOURCES = (
    Resource(
        "balance_transaction",
        prefix="txn_",
        path="balance_transactions",
        links={"type": "type", "status": "status", "payout": None},
        nested=("balance_transaction:fee_details",),
    ),
)
