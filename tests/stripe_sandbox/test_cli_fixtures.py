"""Replays of Stripe CLI `stripe trigger` fixtures: call sequences nobody here wrote.

The sequences are transcribed from stripe/stripe-cli `pkg/fixtures/triggers/*.json`; the
encoding follows the CLI's (nested keys, list indexes, booleans as `true`).
"""

import re
from typing import Any

import pytest

from tests.stripe_sandbox.helpers import api
from tests.stripe_sandbox.test_conformance import shape_problems, stripe_objects

CUSTOMER_WITH_VISA = {
    "name": "customer",
    "path": "/v1/customers",
    "method": "post",
    "params": {
        "description": "(created by Stripe CLI)",
        "payment_method": "pm_card_visa",
        "invoice_settings": {"default_payment_method": "pm_card_visa"},
    },
}
PLAN_SUBSCRIPTION = [
    {
        "name": "customer",
        "path": "/v1/customers",
        "method": "post",
        "params": {"description": "(created by Stripe CLI)", "source": "tok_visa"},
    },
    {
        "name": "plan",
        "path": "/v1/plans",
        "method": "post",
        "params": {
            "currency": "usd",
            "interval": "month",
            "amount": 2000,
            "product": {"name": "myproduct"},
        },
    },
    {
        "name": "subscription",
        "path": "/v1/subscriptions",
        "method": "post",
        "params": {"customer": "${customer:id}", "items": [{"plan": "${plan:id}"}]},
    },
]


def invoice_fixture(payment_method: str, **pay: Any) -> list[dict[str, Any]]:
    return [
        {
            "name": "customer",
            "path": "/v1/customers",
            "method": "post",
            "params": {"description": "(created by Stripe CLI)"},
        },
        {
            "name": "payment_method",
            "path": f"/v1/payment_methods/{payment_method}/attach",
            "method": "post",
            "params": {"customer": "${customer:id}"},
        },
        {
            "name": "invoiceitem",
            "path": "/v1/invoiceitems",
            "method": "post",
            "params": {
                "amount": 2000,
                "currency": "usd",
                "customer": "${customer:id}",
                "description": "(created by Stripe CLI)",
            },
        },
        {
            "name": "invoice",
            "path": "/v1/invoices",
            "method": "post",
            "params": {
                "customer": "${customer:id}",
                "description": "(created by Stripe CLI)",
                "pending_invoice_items_behavior": "include",
            },
        },
        {
            "name": "invoice_pay",
            "path": "/v1/invoices/${invoice:id}/pay",
            "method": "post",
            "params": {"payment_method": "${payment_method:id}"},
        }
        | pay,
    ]


def payment_intent_fixture(payment_method: str, **extra: Any) -> list[dict[str, Any]]:
    return [
        {
            "name": "payment_intent",
            "path": "/v1/payment_intents",
            "method": "post",
            "params": {
                "amount": 100,
                "currency": "usd",
                "payment_method_types": ["card"],
                "payment_method": payment_method,
                "confirm": True,
                "description": "(created by Stripe CLI)",
            },
        }
        | extra
    ]


FIXTURES = {
    "customer.subscription.created": [
        CUSTOMER_WITH_VISA,
        {
            "name": "product",
            "path": "/v1/products",
            "method": "post",
            "params": {"name": "myproduct", "description": "(created by Stripe CLI)"},
        },
        {
            "name": "price",
            "path": "/v1/prices",
            "method": "post",
            "params": {
                "product": "${product:id}",
                "unit_amount": "1500",
                "currency": "usd",
                "recurring[interval]": "month",
            },
        },
        {
            "name": "subscription",
            "path": "/v1/subscriptions",
            "method": "post",
            "params": {"customer": "${customer:id}", "items": [{"price": "${price:id}"}]},
        },
    ],
    "customer.subscription.updated": [
        *PLAN_SUBSCRIPTION,
        {
            "name": "subscription_updated",
            "path": "/v1/subscriptions/${subscription:id}",
            "method": "post",
            "params": {"metadata": {"foo": "bar"}},
        },
    ],
    "customer.subscription.deleted": [
        *PLAN_SUBSCRIPTION,
        {
            "name": "subscription_deleted",
            "path": "/v1/subscriptions/${subscription:id}",
            "method": "delete",
        },
    ],
    "invoice.paid": invoice_fixture("pm_card_visa"),
    "invoice.payment_failed": invoice_fixture(
        "pm_card_chargeCustomerFail", expected_error_type="card_error"
    ),
    "charge.refunded": [
        *payment_intent_fixture("pm_card_visa"),
        {
            "name": "refund",
            "path": "/v1/refunds",
            "method": "post",
            "params": {"payment_intent": "${payment_intent:id}"},
        },
    ],
    "charge.failed": payment_intent_fixture(
        "pm_card_visa_chargeDeclined", expected_error_type="card_error"
    ),
    "charge.dispute.created": payment_intent_fixture("pm_card_createDisputeInquiry"),
    "payment_intent.succeeded": payment_intent_fixture("pm_card_visa"),
}


def flatten(params: Any, prefix: str = "") -> list[tuple[str, str]]:
    if isinstance(params, dict):
        pairs = []
        for key, value in params.items():
            pairs += flatten(value, f"{prefix}[{key}]" if prefix else key)
        return pairs
    if isinstance(params, list):
        pairs = []
        for index, value in enumerate(params):
            pairs += flatten(value, f"{prefix}[{index}]")
        return pairs
    if isinstance(params, bool):
        return [(prefix, "true" if params else "false")]
    return [(prefix, str(params))]


def run_fixture(sandbox: Any, steps: list[dict[str, Any]]) -> list[Any]:
    results: dict[str, Any] = {}

    def substitute(text: str) -> str:
        return re.sub(r"\$\{(\w+):(\w+)\}", lambda m: str(results[m.group(1)][m.group(2)]), text)

    answers = []
    for step in steps:
        pairs = [(key, substitute(value)) for key, value in flatten(step.get("params", {}))]
        form = dict(pairs)
        method = step["method"].upper()
        answer = api(
            sandbox,
            method,
            substitute(step["path"]),
            form if method == "POST" else None,
            key="sk_test_sandbox_cli",
        )
        body = answer.json()
        expected_error = step.get("expected_error_type")
        if expected_error:
            assert body["error"]["type"] == expected_error, body
        else:
            assert answer.status == 200, (step["name"], body)
        results[step["name"]] = body.get("error", body)
        answers.append(body)
    return answers


@pytest.mark.parametrize("event_type", sorted(FIXTURES))
def test_cli_trigger_fixture_causes_its_event(sandbox, event_type):
    answers = run_fixture(sandbox, FIXTURES[event_type])
    events = api(sandbox, "GET", f"/v1/events?type={event_type}").json()["data"]
    assert len(events) >= 1
    problems = [p for obj in stripe_objects([answers, events]) for p in shape_problems(obj)]
    assert problems == []


def test_declined_payment_intent_is_recorded_and_explained(sandbox):
    answers = run_fixture(sandbox, FIXTURES["charge.failed"])
    error = answers[0]["error"]
    assert (error["code"], error["decline_code"]) == ("card_declined", "generic_decline")
    assert error["payment_intent"]["status"] == "requires_payment_method"
    charge = api(sandbox, "GET", f"/v1/charges/{error['charge']}").json()
    assert charge["status"] == "failed"


def test_api_subscription_with_failing_card_is_incomplete(sandbox):
    steps = [
        {
            "name": "customer",
            "path": "/v1/customers",
            "method": "post",
            "params": {
                "invoice_settings": {"default_payment_method": "pm_card_chargeCustomerFail"}
            },
        },
        *PLAN_SUBSCRIPTION[1:],
    ]
    subscription = run_fixture(sandbox, steps)[-1]
    assert subscription["status"] == "incomplete"
    invoice = api(sandbox, "GET", f"/v1/invoices/{subscription['latest_invoice']}").json()
    assert (invoice["status"], invoice["attempt_count"]) == ("open", 1)
