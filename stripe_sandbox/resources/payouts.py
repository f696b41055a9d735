"""Payouts: automatic ones through the control API (`POST /_sandbox/payouts`), manual ones
by `POST /v1/payouts`; the clock pays manual ones and reconciles automatic ones."""

from typing import Any

from ..app import Sandbox
from ..errors import InvalidRequest
from ..expand import answer
from ..payouts import payout_arrive, payout_cancel, payout_manual_create, payout_reconcile
from ..registry import Resource, Route


def payouts_create(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    try:
        amount = int(params["amount"])
    except ValueError:
        raise InvalidRequest("Invalid integer: amount.", param="amount") from None
    payout = payout_manual_create(sb, amount=amount, currency=str(params["currency"]).lower())
    return answer(sb, params, payout)


def payouts_cancel(sb: Sandbox, params: dict[str, Any], payout_id: str) -> dict[str, Any]:
    return answer(sb, params, payout_cancel(sb, payout_id))


def reconcile_job(sb: Sandbox, payout_id: str) -> None:
    payout_reconcile(sb, payout_id)


RESOURCES = (
    Resource(
        "payout",
        prefix="po_",
        path="payouts",
        links={"status": "status"},
        routes=(
            Route("POST", "/v1/payouts", payouts_create),
            Route("POST", "/v1/payouts/{id}/cancel", payouts_cancel),
        ),
        jobs={"reconcile": reconcile_job, "arrive": payout_arrive},
    ),
)
