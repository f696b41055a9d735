"""Billing portal sessions; the hosted page is in ../pages.py."""

from typing import Any

from ..app import Sandbox
from ..expand import answer
from ..portal import portal_session_create
from ..registry import Resource, Route


def portal_sessions_create(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    return answer(sb, params, portal_session_create(sb, params))


RESOURCES = (
    Resource(
        "billing_portal.session",
        prefix="bps_",
        path="billing_portal/sessions",
        links={"customer": "customer"},
        nested=("billing_portal.session:flow",),
        routes=(Route("POST", "/v1/billing_portal/sessions", portal_sessions_create),),
    ),
)
