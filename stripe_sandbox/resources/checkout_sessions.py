"""Checkout sessions and their line items; the hosted page is in ../pages.py.

`/v1/payment_pages/{session}` is Stripe's own, unpublished API behind hosted Checkout, which
Stripe's CLI calls to pay a session (`stripe trigger checkout.session.completed`): read the
page, then confirm it with a payment method. Stripe answers an internal object whose shape
it does not publish; the sandbox answers the Checkout Session itself.
"""

from typing import Any

from ..app import Sandbox
from ..catalog import card_number_for
from ..checkout import session_complete, session_create, session_expire, session_expiry_due
from ..errors import InvalidRequest
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


def payment_page(sb: Sandbox, params: dict[str, Any], session_id: str) -> dict[str, Any]:
    return sb.get(session_id, "checkout.session")


def payment_page_confirm(sb: Sandbox, params: dict[str, Any], session_id: str) -> dict:
    """Pay the session with a payment method, as the hosted page does with a typed card."""
    session = sb.get(session_id, "checkout.session")
    if session["status"] != "open":
        raise InvalidRequest(
            f"This Checkout Session is {session['status']}; only an open one can be paid.",
            param="session",
        )
    if not params.get("payment_method"):
        raise InvalidRequest("Missing required param: payment_method.", param="payment_method")
    expected = params.get("expected_amount")
    if expected is not None and str(expected) != str(session["amount_total"]):
        raise InvalidRequest(
            f"The amount to pay is {session['amount_total']}, not {expected}: the session "
            "changed since the page was shown.",
            param="expected_amount",
        )
    method = sb.get(params["payment_method"], "payment_method", param="payment_method")
    card = method["card"]
    billing = method["billing_details"] or {}
    session_complete(
        sb,
        session,
        {
            "number": card_number_for(card["fingerprint"]),
            "exp_month": card["exp_month"],
            "exp_year": card["exp_year"],
            "email": billing.get("email"),
            "name": billing.get("name"),
        },
    )
    return answer(sb, params, session)


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
            Route("GET", "/v1/payment_pages/{id}", payment_page),
            Route("POST", "/v1/payment_pages/{id}/init", payment_page),
            Route("POST", "/v1/payment_pages/{id}/confirm", payment_page_confirm),
        ),
        jobs={"expire": session_expiry_due},
        nested=("checkout.session:customer_details", "checkout.session:total_details"),
    ),
    Resource("item"),
)
