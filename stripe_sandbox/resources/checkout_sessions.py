"""Checkout sessions and their line items; the hosted page is in ../pages.py."""

from typing import Any

from ..app import Sandbox
from ..checkout import session_create, session_expire, session_expiry_due
from ..expand import answer, list_object
from ..registry import Resource, Route


def sessions_create(sb: Sandbox, params: dict[str, Any]) -> dict[str, Any]:
    return answer(sb, params, session_create(sb, params))


def sessions_expire(sb: Sandbox, params: dict[str, Any], session_id: str) -> dict[str, Any]:
    session = sb.get(session_id, "checkout.session")
    return answer(sb, params, session_expire(sb, session))


def line_items(sb: Sandbox, session: dict[str, Any]) -> dict[str, Any]:
    private = sb.store.get(f"{session['id']}:private") or {"line_items": []}
    items = private["line_items"]
    return list_object(items, f"/v1/checkout/sessions/{session['id']}/line_items")


def sessions_line_items(sb: Sandbox, params: dict[str, Any], session_id: str) -> dict:
    return line_items(sb, sb.get(session_id, "checkout.session"))


RESOURCES = (
    Resource(
        "checkout.session",
        prefix="cs_",
        path="checkout/sessions",
        links={
            "customer": "customer",
            "subscription": "subscription",
            "invoice": "invoice",
            "payment_intent": "payment_intent",
            "status": "status",
        },
        included={"line_items": line_items},
        routes=(
            Route("POST", "/v1/checkout/sessions", sessions_create),
            Route("POST", "/v1/checkout/sessions/{id}/expire", sessions_expire),
            Route("GET", "/v1/checkout/sessions/{id}/line_items", sessions_line_items),
        ),
        jobs={"expire": session_expiry_due},
        nested=("checkout.session:customer_details", "checkout.session:total_details"),
    ),
    Resource("item"),
)
