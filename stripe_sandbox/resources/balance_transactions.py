"""Balance transactions; `payout` is set when a payout sweeps them (../settlement.py).

Listing by `payout` works as at Stripe: refused for a manual payout (Stripe cannot tell which
transactions it paid out), and complete only once an automatic payout's reconciliation is
(`reconciliation_status: completed`); until then the list is empty.
"""

import json
from typing import Any

from ..app import Sandbox
from ..errors import InvalidRequest
from ..expand import expand_params, list_object, present
from ..listing import list_limit, paginate
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
    if isinstance(params.get("created"), dict):
        return created_page(sb, params)
    return paginate(sb, "balance_transaction", URL, params)


def created_page(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    """A page of the transactions created in a range (`created[gte]`, `[gt]`, `[lt]`, `[lte]`),
    newest first, as Stripe lists them."""
    bounds = {}
    for name, value in params["created"].items():
        if name not in ("gt", "gte", "lt", "lte"):
            raise InvalidRequest(f"Received unknown parameter: created[{name}]", param="created")
        try:
            bounds[name] = int(value)
        except ValueError:
            raise InvalidRequest(f"Invalid integer: created[{name}].", param="created") from None
    checks = {
        "gt": lambda t, b: t > b,
        "gte": lambda t, b: t >= b,
        "lt": lambda t, b: t < b,
        "lte": lambda t, b: t <= b,
    }
    rows = sb.store.execute(
        "SELECT data FROM objects WHERE object = 'balance_transaction' ORDER BY seq DESC"
    ).fetchall()
    every = [json.loads(data) for (data,) in rows]
    matching = [
        obj
        for obj in every
        if all(checks[name](obj["created"], bound) for name, bound in bounds.items())
    ]
    if after := params.get("starting_after"):
        ids = [obj["id"] for obj in matching]
        matching = matching[ids.index(after) + 1 :] if after in ids else []
    limit = list_limit(params)
    body = list_object(matching[:limit], URL, len(matching) > limit)
    return present(sb, body, expand_params(params))


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
