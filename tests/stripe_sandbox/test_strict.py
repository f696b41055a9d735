"""The sandbox refuses what Stripe refuses: parameters checked against stripe-python's own
declarations, in Stripe's error format; idempotency keys that live 24 hours and never keep a
refusal of the parameters."""

import urllib.parse

import pytest
import stripe

from stripe_sandbox.params import METHODS, PARAMS_FILE, dumps, generate
from stripe_sandbox.strict import method_key
from tests.stripe_sandbox.helpers import api

PINNED = {"Stripe-Version": stripe.api_version}


def request(sandbox, method, path, params=None, *, headers=None):
    """A raw call as a client at the pinned API version makes it: query for GET and DELETE."""
    params = params or {}
    if method in ("GET", "DELETE") and params:
        path = f"{path}?{urllib.parse.urlencode(params)}"
        params = None
    return api(sandbox, method, path, params, headers=PINNED | (headers or {}))


def stripe_error(message, param, code=None):
    error = {"type": "invalid_request_error", "message": message, "param": param}
    if code:
        page = code.replace("_", "-")
        error |= {"code": code, "doc_url": f"https://stripe.com/docs/error-codes/{page}"}
    return {"error": error}


def unknown(param):
    return stripe_error(f"Received unknown parameter: {param}", param, "parameter_unknown")


def missing(param):
    return stripe_error(f"Missing required param: {param}.", param, "parameter_missing")


def not_integer(param, value):
    return stripe_error(f"Invalid integer: {value}", param, "parameter_invalid_integer")


def not_in(param, listed):
    return stripe_error(f"Invalid {param}: must be one of {listed}", param)


def not_array(param):
    return stripe_error(f"Invalid array: {param} must be an array.", param)


def cannot_unset(param):
    return stripe_error(
        f"You passed an empty string for '{param}'. We assume empty values are an attempt to "
        f"unset a parameter; however '{param}' cannot be unset. You should remove '{param}' "
        "from your request or supply a non-empty value.",
        param,
        "parameter_invalid_empty",
    )


def test_params_json_is_what_the_installed_sdk_declares():
    assert PARAMS_FILE.read_text() == dumps(generate()), (
        "stripe_sandbox/params.json is stale: run `python -m stripe_sandbox.params`."
    )


RETRIEVED = [
    "customers/cus_x",
    "products/prod_x",
    "prices/price_x",
    "plans/price_x",
    "checkout/sessions/cs_x",
    "subscriptions/sub_x",
    "subscription_schedules/sub_sched_x",
    "invoices/in_x",
    "invoice_payments/inpay_x",
    "payment_intents/pi_x",
    "payment_methods/pm_x",
    "charges/ch_x",
    "refunds/re_x",
    "disputes/dp_x",
    "payouts/po_x",
    "balance_transactions/txn_x",
    "events/evt_x",
    "webhook_endpoints/we_x",
    "billing_portal/configurations/bpc_x",
    "reporting/report_runs/frr_x",
    "files/file_x",
]
LISTED = [
    "customers",
    "products",
    "prices",
    "checkout/sessions",
    "checkout/sessions/cs_x/line_items",
    "subscriptions",
    "subscription_schedules",
    "invoices",
    "invoices/in_x/lines",
    "invoice_payments",
    "payment_intents",
    "payment_methods",
    "charges",
    "refunds",
    "disputes",
    "payouts",
    "balance_transactions",
    "events",
    "webhook_endpoints",
    "billing_portal/configurations",
    "reporting/report_runs",
    "files",
]
INTERVALS = "day, month, week, or year"

# One wrong parameter per endpoint, and the answer Stripe gives.
REFUSALS = [
    *[("GET", f"/v1/{path}", {"expand": "customer"}, not_array("expand")) for path in RETRIEVED],
    *[("GET", f"/v1/{path}", {"limit": "ten"}, not_integer("limit", "ten")) for path in LISTED],
    ("POST", "/v1/customers", {"balance": "1.5"}, not_integer("balance", "1.5")),
    ("POST", "/v1/customers/cus_x", {"emali": "a@example.org"}, unknown("emali")),
    ("POST", "/v1/products", {"description": "A product"}, missing("name")),
    (
        "POST",
        "/v1/prices",
        {"currency": "eur", "unit_amount": "500", "recurring[interval]": "fortnight"},
        not_in("recurring[interval]", INTERVALS),
    ),
    ("POST", "/v1/plans", {"currency": "usd", "amount": "2000"}, missing("interval")),
    (
        "POST",
        "/v1/checkout/sessions",
        {"mode": "subscription", "line_items[0][quantity]": "one"},
        not_integer("line_items[0][quantity]", "one"),
    ),
    ("POST", "/v1/checkout/sessions/cs_x/expire", {"reason": "late"}, unknown("reason")),
    (
        "POST",
        "/v1/subscriptions",
        {"customer": "cus_x", "items[0][price_data][product_data][name]": "Monthly"},
        unknown("items[0][price_data][product_data]"),
    ),
    (
        "POST",
        "/v1/subscriptions/sub_x",
        {"proration_behavior": "sometimes"},
        not_in("proration_behavior", "always_invoice, create_prorations, or none"),
    ),
    (
        "DELETE",
        "/v1/subscriptions/sub_x",
        {"invoice_now": "yes"},
        stripe_error("Invalid boolean: yes", "invoice_now"),
    ),
    ("GET", "/v1/subscription_items", {}, missing("subscription")),
    (
        "POST",
        "/v1/subscriptions/sub_x/pause",
        {"type": "collection"},
        not_in("type", "subscription"),
    ),
    (
        "POST",
        "/v1/subscriptions/sub_x/resume",
        {"billing_cycle_anchor[type]": "later"},
        not_in("billing_cycle_anchor[type]", "now or unchanged"),
    ),
    (
        "POST",
        "/v1/subscription_schedules",
        {"from_subscription": "sub_x", "end_behavior": "later"},
        not_in("end_behavior", "cancel, none, release, or renew"),
    ),
    (
        "POST",
        "/v1/subscription_schedules/sub_sched_x",
        {"phases[0][items][0][price_data][product_data][name]": "Yearly"},
        unknown("phases[0][items][0][price_data][product_data]"),
    ),
    (
        "POST",
        "/v1/subscription_schedules/sub_sched_x/release",
        {"preserve_cancel_date": "maybe"},
        stripe_error("Invalid boolean: maybe", "preserve_cancel_date"),
    ),
    (
        "POST",
        "/v1/subscription_schedules/sub_sched_x/cancel",
        {"invoice_now": "now"},
        stripe_error("Invalid boolean: now", "invoice_now"),
    ),
    ("POST", "/v1/invoices", {"customer": ""}, cannot_unset("customer")),
    (
        "POST",
        "/v1/invoices/in_x/finalize",
        {"auto_advance": "True"},
        stripe_error("Invalid boolean: True", "auto_advance"),
    ),
    ("POST", "/v1/invoices/in_x/pay", {"amount": "100"}, unknown("amount")),
    (
        "POST",
        "/v1/invoiceitems",
        {"customer": "cus_x", "amount": "9.99"},
        not_integer("amount", "9.99"),
    ),
    ("POST", "/v1/payment_intents", {"currency": "eur"}, missing("amount")),
    (
        "POST",
        "/v1/payment_methods",
        {"type": "card", "allow_redisplay": "never"},
        not_in("allow_redisplay", "always, limited, or unspecified"),
    ),
    (
        "POST",
        "/v1/payment_methods/pm_x/attach",
        {"customer": "cus_x", "type": "card"},
        unknown("type"),
    ),
    (
        "POST",
        "/v1/refunds",
        {"charge": "ch_x", "reason": "changed_mind"},
        not_in("reason", "duplicate, fraudulent, or requested_by_customer"),
    ),
    ("POST", "/v1/payouts", {"amount": "1000"}, missing("currency")),
    ("POST", "/v1/payouts/po_x/cancel", {"reason": "changed_mind"}, unknown("reason")),
    ("POST", "/v1/billing_portal/sessions", {"customer": "cus_x", "flow": "x"}, unknown("flow")),
    ("POST", "/v1/webhook_endpoints", {"url": "http://127.0.0.1/hook"}, missing("enabled_events")),
    ("DELETE", "/v1/webhook_endpoints/we_x", {"force": "true"}, unknown("force")),
    ("POST", "/v1/webhook_endpoints/we_x", {"events": "*"}, unknown("events")),
    ("POST", "/v1/disputes/dp_x", {"outcome": "won"}, unknown("outcome")),
    ("POST", "/v1/disputes/dp_x/close", {"reason": "accepted"}, unknown("reason")),
    ("POST", "/v1/billing_portal/configurations", {"name": "Ours"}, missing("features")),
    (
        "POST",
        "/v1/reporting/report_runs",
        {"parameters[interval_start]": "1"},
        missing("report_type"),
    ),
    (
        "POST",
        "/v1/billing_portal/configurations/bpc_x",
        {"features[invoice_history][enabled]": "yes"},
        stripe_error("Invalid boolean: yes", "features[invoice_history][enabled]"),
    ),
    ("DELETE", "/v1/customers/cus_x", {"invoice_now": "true"}, unknown("invoice_now")),
]


def test_every_endpoint_the_sandbox_checks_has_a_refusal_below():
    covered = {method_key(method, path) for method, path, _, _ in REFUSALS}
    assert covered == set(METHODS)


@pytest.mark.parametrize(
    ("method", "path", "params", "answer"),
    REFUSALS,
    ids=[f"{method} {path} {sorted(params)}" for method, path, params, _ in REFUSALS],
)
def test_a_wrong_parameter_is_refused_as_stripe_refuses_it(sandbox, method, path, params, answer):
    refused = request(sandbox, method, path, params)

    assert refused.status == 400
    assert refused.json() == answer


@pytest.mark.parametrize("key", sorted(METHODS))
def test_an_unknown_parameter_is_refused_by_every_endpoint(sandbox, key):
    method, _, template = key.partition(" ")
    refused = request(sandbox, method, template.replace("{id}", "x_1"), {"colour": "red"})

    assert refused.status == 400
    assert refused.json() == unknown("colour")


def test_the_sdk_raises_invalid_request_error_with_code_and_param(stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as raised:
        stripe_client.v1.customers.list(params={"limit": "ten"})

    assert raised.value.http_status == 400
    assert raised.value.code == "parameter_invalid_integer"
    assert raised.value.param == "limit"
    assert raised.value.json_body["error"]["message"] == "Invalid integer: ten"


def test_changing_a_gift_with_product_data_is_refused_as_at_stripe(stripe_client):
    """Issue 9: `price_data` on a subscription update takes a product id, not product_data."""
    product = stripe_client.v1.products.create(params={"name": "Monthly support"})
    price = stripe_client.v1.prices.create(
        params={
            "currency": "eur",
            "unit_amount": 500,
            "recurring": {"interval": "month"},
            "product": product.id,
        }
    )
    customer = stripe_client.v1.customers.create(
        params={
            "payment_method": "pm_card_visa",
            "invoice_settings": {"default_payment_method": "pm_card_visa"},
        }
    )
    subscription = stripe_client.v1.subscriptions.create(
        params={"customer": customer.id, "items": [{"price": price.id}]}
    )
    item_id = subscription["items"].data[0].id

    with pytest.raises(stripe.InvalidRequestError) as raised:
        stripe_client.v1.subscriptions.update(
            subscription.id,
            {
                "items": [
                    {
                        "id": item_id,
                        "price_data": {
                            "currency": "eur",
                            "unit_amount": 800,
                            "recurring": {"interval": "month"},
                            "product_data": {"name": "Monthly support"},
                        },
                    }
                ],
                "proration_behavior": "none",
            },
        )
    assert raised.value.code == "parameter_unknown"
    assert raised.value.param == "items[0][price_data][product_data]"
    unchanged = stripe_client.v1.subscriptions.retrieve(subscription.id)
    assert unchanged["items"].data[0].price.unit_amount == 500

    changed = stripe_client.v1.subscriptions.update(
        subscription.id,
        {
            "items": [
                {
                    "id": item_id,
                    "price_data": {
                        "currency": "eur",
                        "unit_amount": 800,
                        "recurring": {"interval": "month"},
                        "product": product.id,
                    },
                }
            ],
            "proration_behavior": "none",
        },
    )
    assert changed["items"].data[0].price.unit_amount == 800


def test_what_stripe_accepts_passes(sandbox, stripe_client):
    customer = stripe_client.v1.customers.create(
        params={"email": "a@example.org", "metadata": {"supporter": "7", "source": "appeal"}}
    )
    updated = request(
        sandbox,
        "POST",
        f"/v1/customers/{customer.id}",
        {"metadata[supporter]": "", "business_name": "", "expand[0]": "invoice_settings"},
    )
    assert updated.status == 200, updated.body
    assert updated.json()["metadata"] == {"source": "appeal"}

    cleared = request(sandbox, "POST", f"/v1/customers/{customer.id}", {"metadata": ""})
    assert cleared.status == 200, cleared.body
    listed = request(
        sandbox, "GET", "/v1/subscriptions", {"status": "all", "limit": "3", "created[gte]": "0"}
    )
    assert listed.status == 200, listed.body


def test_a_client_without_a_version_header_runs_at_the_account_default(sandbox):
    """The Stripe CLI's fixtures send `payment_method_types`, which older API versions take;
    a stripe_client that pins the SDK's version is held to what that version declares."""
    form = {
        "amount": "100",
        "currency": "usd",
        "payment_method_types[0]": "card",
        "payment_method": "pm_card_visa",
        "confirm": "true",
    }
    unversioned = api(sandbox, "POST", "/v1/payment_intents", form)
    pinned = request(sandbox, "POST", "/v1/payment_intents", form)

    assert unversioned.status == 200, unversioned.body
    assert unversioned.json()["status"] == "succeeded"
    assert pinned.status == 400
    assert pinned.json() == unknown("payment_method_types")


def test_a_refused_request_leaves_its_idempotency_key_unused(sandbox):
    key = {"Idempotency-Key": "product-1"}
    refused = request(sandbox, "POST", "/v1/products", {"nmae": "Monthly support"}, headers=key)
    first = request(sandbox, "POST", "/v1/products", {"name": "Monthly support"}, headers=key)
    again = request(sandbox, "POST", "/v1/products", {"name": "Monthly support"}, headers=key)

    assert refused.status == 400
    assert first.status == 200, first.body
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json()["id"] == first.json()["id"]


def test_a_failure_after_the_request_began_is_kept_for_its_key(sandbox):
    key = {"Idempotency-Key": "update-missing"}
    first = request(sandbox, "POST", "/v1/customers/cus_missing", {"name": "A"}, headers=key)
    again = request(sandbox, "POST", "/v1/customers/cus_missing", {"name": "A"}, headers=key)

    assert first.status == again.status == 404
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.body == first.body


def test_an_idempotency_key_expires_after_24_hours_of_sandbox_time(sandbox):
    key = {"Idempotency-Key": "product-2"}
    first = request(sandbox, "POST", "/v1/products", {"name": "Monthly"}, headers=key)

    sandbox.control("POST", "/_sandbox/clock/advance", {"seconds": 24 * 3600 - 1})
    reused = request(sandbox, "POST", "/v1/products", {"name": "Yearly"}, headers=key)
    assert reused.status == 400
    assert reused.json()["error"]["type"] == "idempotency_error"

    sandbox.control("POST", "/_sandbox/clock/advance", {"seconds": 1})
    fresh = request(sandbox, "POST", "/v1/products", {"name": "Yearly"}, headers=key)
    assert fresh.status == 200, fresh.body
    assert "Idempotent-Replayed" not in fresh.headers
    assert fresh.json()["id"] != first.json()["id"]
    replayed = request(sandbox, "POST", "/v1/products", {"name": "Yearly"}, headers=key)
    assert replayed.json()["id"] == fresh.json()["id"]
