"""Disputes: opened by test cards or the control API (../settlement.py); updated and closed
(accepted, so lost) by API, as Stripe's CLI does."""

from typing import Any

from ..app import Sandbox
from ..catalog import merged_metadata
from ..errors import InvalidRequest
from ..expand import answer
from ..registry import Resource, Route
from ..settlement import dispute_close

OPEN_STATUSES = ("warning_needs_response", "needs_response", "under_review", "warning_under_review")


def disputes_update(sb: Sandbox, params: dict[str, Any], dispute_id: str) -> dict[str, Any]:
    dispute = sb.get(dispute_id, "dispute")
    changes: dict[str, Any] = {}
    if "metadata" in params:
        changes["metadata"] = merged_metadata(dispute.get("metadata"), params["metadata"])
    if params.get("submit") == "true":
        if dispute["status"] not in OPEN_STATUSES:
            raise InvalidRequest(
                f"This dispute is {dispute['status']}; evidence can no longer be submitted.",
                param="submit",
            )
        changes["status"] = "under_review"
    return answer(sb, params, sb.update(dispute, changes, "charge.dispute.updated"))


def disputes_close(sb: Sandbox, params: dict[str, Any], dispute_id: str) -> dict[str, Any]:
    """Closing a dispute accepts it: the charge's amount stays with the card holder."""
    return answer(sb, params, dispute_close(sb, dispute_id, "lost"))


RESOURCES = (
    Resource(
        "dispute",
        prefix="dp_",
        path="disputes",
        links={"charge": "charge", "payment_intent": "payment_intent", "status": "status"},
        routes=(
            Route("POST", "/v1/disputes/{id}", disputes_update),
            Route("POST", "/v1/disputes/{id}/close", disputes_close),
        ),
        nested=("dispute:evidence_details",),
    ),
)
