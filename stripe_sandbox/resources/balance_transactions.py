"""Balance transactions; `payout` is set when a payout sweeps them (../settlement.py).

Listing by `payout` works as at Stripe: refused for a manual payout (Stripe cannot tell which
transactions it paid out), and complete only once an automatic payout's reconciliation is
(`reconciliation_status: completed`); until then the list is empty.
"""

from typing import Any

from ..app import Sandbox
from ..errors import InvalidRequest
from ..expand import expand_params, list_object, present
from ..listing import paginate
from ..registry import Resource, Route

URL = "/v1/balance_transactions"


def balance_transactions_list(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    if payout_id := params.get("payout"):
        payout = sb.get(payout_id, "payout", param="payout")
        if not payout["automatic"]:
            raise InvalidRequest(
                "Balance transaction history can only be filtered on automatic transfers, "
                "not manual.",
                param="payout",
            )
        if payout["reconciliation_status"] != "completed":
            return present(sb, list_object([], URL), expand_params(params))
    return paginate(sb, "balance_transaction", URL, params)


RESOURCES = (
    Resource(
        "balance_transaction",
        prefix="txn_",
        path="balance_transactions",
        links={"type": "type", "status": "status", "payout": None},
        nested=("balance_transaction:fee_details",),
        routes=(Route("GET", URL, balance_transactions_list),),
    ),
)
