"""Everything the project asks of Stripe. The only code that imports the `stripe` SDK.

Create calls carry idempotency keys derived from our own rows, so a retried request
(a double click, a retried task) never makes a second object at Stripe.
"""

from datetime import datetime

import requests
import stripe
from django.conf import settings

from . import convert
from .client import call, stripe_client
from .event_payload import verified_event_from
from .listing import LISTABLE, ListedObject, objects_created_list
from .setup import (
    PortalConfigurationInfo,
    PortalFeatures,
    WebhookEndpointInfo,
    portal_configuration_create,
    portal_configuration_update,
    portal_configurations_list,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_update,
    webhook_endpoints_list,
)
from .types import (
    BalanceTransactionInfo,
    CardDeclined,
    ChargeInfo,
    CheckoutSessionInfo,
    CustomerInfo,
    DisputeInfo,
    GatewayError,
    GatewayUnavailable,
    InvoiceInfo,
    PayoutInfo,
    RefundInfo,
    ReportRunInfo,
    ScheduleInfo,
    SubscriptionInfo,
    VerifiedEvent,
    WebhookEventInvalid,
    WebhookSignatureInvalid,
)

__all__ = [
    "BalanceTransactionInfo",
    "CardDeclined",
    "ChargeInfo",
    "CheckoutSessionInfo",
    "CustomerInfo",
    "DisputeInfo",
    "GatewayError",
    "GatewayUnavailable",
    "InvoiceInfo",
    "LISTABLE",
    "ListedObject",
    "PayoutInfo",
    "PortalConfigurationInfo",
    "PortalFeatures",
    "RefundInfo",
    "ScheduleInfo",
    "ReportRunInfo",
    "SubscriptionInfo",
    "VerifiedEvent",
    "WebhookEndpointInfo",
    "WebhookEventInvalid",
    "WebhookSignatureInvalid",
    "objects_created_list",
    "portal_configuration_create",
    "portal_configuration_update",
    "portal_configurations_list",
    "webhook_endpoint_create",
    "webhook_endpoint_delete",
    "webhook_endpoint_update",
    "webhook_endpoints_list",
]

# Stripe's default tolerance: a signature older than five minutes is a replay.
WEBHOOK_TOLERANCE_SECONDS = 300


def checkout_session_create(
    *,
    idempotency_key: str,
    mode: str,
    amount: int,
    currency: str,
    interval: str | None,
    product_name: str,
    success_url: str,
    cancel_url: str,
    client_reference_id: str,
    metadata: dict[str, str],
    customer_email: str = "",
    locale: str = "auto",
) -> CheckoutSessionInfo:
    price_data: dict = {
        "currency": currency,
        "unit_amount": amount,
        "product_data": {"name": product_name},
    }
    params: dict = {
        "mode": mode,
        "line_items": [{"quantity": 1, "price_data": price_data}],
        "success_url": success_url,
        "cancel_url": cancel_url,
        "client_reference_id": client_reference_id,
        "metadata": metadata,
        # Checkout's own words and number formats; one of Stripe's locales, or "auto".
        "locale": locale,
    }
    if mode == "subscription":
        price_data["recurring"] = {"interval": interval}
        params["subscription_data"] = {"metadata": metadata}
    else:
        params["payment_intent_data"] = {"metadata": metadata}
        params["customer_creation"] = "always"
    if customer_email:
        params["customer_email"] = customer_email
    session = call(
        stripe_client().v1.checkout.sessions.create,
        params,
        {"idempotency_key": idempotency_key},
    )
    return convert.checkout_session(session)


def checkout_session_retrieve(session_id: str) -> CheckoutSessionInfo:
    return convert.checkout_session(call(stripe_client().v1.checkout.sessions.retrieve, session_id))


def customer_retrieve(customer_id: str) -> CustomerInfo:
    return convert.customer(call(stripe_client().v1.customers.retrieve, customer_id))


def subscription_retrieve(subscription_id: str) -> SubscriptionInfo:
    subscription = call(
        stripe_client().v1.subscriptions.retrieve,
        subscription_id,
        {"expand": ["default_payment_method"]},
    )
    return convert.subscription(subscription)


def subscription_list_for_customer(customer_id: str) -> list[SubscriptionInfo]:
    """The customer's subscriptions that are not canceled (a supporter has one or a few)."""
    page = call(
        stripe_client().v1.subscriptions.list,
        {"customer": customer_id, "limit": 100, "expand": ["data.default_payment_method"]},
    )
    return [convert.subscription(obj) for obj in page["data"]]


def subscription_change_amount(
    *,
    subscription: SubscriptionInfo,
    amount: int,
    idempotency_key: str,
    metadata: dict[str, str] | None = None,
) -> SubscriptionInfo:
    """A new amount from the next payment on, same interval: no proration, no charge now.

    On a subscription update `price_data` names the product by id (it takes no
    `product_data`), so the new price joins the product the gift already has. `metadata`
    is merged into the subscription's (e.g. which staff member changed it, and why).
    """
    params: dict = {"metadata": metadata} if metadata else {}
    updated = call(
        stripe_client().v1.subscriptions.update,
        subscription.id,
        {
            **params,
            "items": [
                {
                    "id": subscription.item_id,
                    "price_data": _recurring_price_data(
                        subscription, amount, subscription.interval
                    ),
                }
            ],
            "proration_behavior": "none",
            "expand": ["default_payment_method"],
        },
        {"idempotency_key": idempotency_key},
    )
    return convert.subscription(updated)


def _recurring_price_data(subscription: SubscriptionInfo, amount: int, interval: str) -> dict:
    return {
        "currency": subscription.currency,
        "product": subscription.product_id,
        "unit_amount": amount,
        "recurring": {"interval": interval},
    }


def subscription_schedule_retrieve(schedule_id: str) -> ScheduleInfo:
    client = stripe_client()
    obj = call(client.v1.subscription_schedules.retrieve, schedule_id)
    upcoming = convert.next_phase(obj)
    next_price = None
    if upcoming and upcoming["items"]:
        price_id = convert.object_id(upcoming["items"][0].get("price"))
        next_price = call(client.v1.prices.retrieve, price_id)
    return convert.schedule(obj, next_price=next_price)


def subscription_switch_at_period_end(
    *, subscription: SubscriptionInfo, amount: int, interval: str, idempotency_key: str
) -> ScheduleInfo:
    """A new interval (and amount) from the end of the period already paid for.

    A change of interval on the subscription itself would start a new period and bill at once;
    a subscription schedule keeps the current phase until the period ends and starts the new
    price then. An existing schedule (a switch already pending) gets its phases replaced.
    """
    client = stripe_client()
    if subscription.schedule_id:
        schedule_id = subscription.schedule_id
    else:
        created = call(
            client.v1.subscription_schedules.create,
            {"from_subscription": subscription.id},
            {"idempotency_key": idempotency_key},
        )
        schedule_id = created["id"]
    current = call(client.v1.subscription_schedules.retrieve, schedule_id)["phases"][0]
    call(
        client.v1.subscription_schedules.update,
        schedule_id,
        {
            "phases": [
                {
                    "items": [
                        {"price": convert.object_id(item["price"]), "quantity": item["quantity"]}
                        for item in current["items"]
                    ],
                    "start_date": current["start_date"],
                    "end_date": current["end_date"],
                },
                {
                    "items": [
                        {
                            "price_data": _recurring_price_data(subscription, amount, interval),
                            "quantity": 1,
                        }
                    ],
                    "duration": {"interval": interval, "interval_count": 1},
                },
            ],
            "end_behavior": "release",
            "proration_behavior": "none",
        },
    )
    return subscription_schedule_retrieve(schedule_id)


def subscription_schedule_release(schedule_id: str) -> None:
    """Drop a pending switch: the subscription carries on as it is."""
    call(stripe_client().v1.subscription_schedules.release, schedule_id)


def subscription_set_cancel_at_period_end(
    *,
    subscription_id: str,
    cancel: bool,
    feedback: str = "",
    metadata: dict[str, str] | None = None,
) -> SubscriptionInfo:
    """Cancel at the period end (with the supporter's feedback, in Stripe's words), or undo.
    `metadata` is merged into the subscription's (which staff member, and why)."""
    params: dict = {"cancel_at_period_end": cancel, "expand": ["default_payment_method"]}
    if cancel and feedback:
        params["cancellation_details"] = {"feedback": feedback}
    if metadata:
        params["metadata"] = metadata
    subscription = call(stripe_client().v1.subscriptions.update, subscription_id, params)
    return convert.subscription(subscription)


def subscription_cancel_now(
    *, subscription_id: str, metadata: dict[str, str] | None = None, comment: str = ""
) -> SubscriptionInfo:
    """End the plan at once (no refund of the current period; nothing more is charged).
    Who and why go into its metadata first, since a cancelled subscription takes no more
    changes."""
    client = stripe_client()
    if metadata:
        call(client.v1.subscriptions.update, subscription_id, {"metadata": metadata})
    params: dict = {"cancellation_details": {"comment": comment[:500]}} if comment else {}
    call(client.v1.subscriptions.cancel, subscription_id, params)
    return subscription_retrieve(subscription_id)


def subscription_pause_collection(
    *,
    subscription_id: str,
    resumes_at: datetime,
    metadata: dict[str, str],
    idempotency_key: str,
) -> SubscriptionInfo:
    """Take no payment until `resumes_at`: the plan runs on, and each renewal's invoice is
    voided (the supporter owes nothing for the paused periods)."""
    subscription = call(
        stripe_client().v1.subscriptions.update,
        subscription_id,
        {
            "pause_collection": {"behavior": "void", "resumes_at": int(resumes_at.timestamp())},
            "metadata": metadata,
            "expand": ["default_payment_method"],
        },
        {"idempotency_key": idempotency_key},
    )
    return convert.subscription(subscription)


def subscription_resume_collection(
    *, subscription_id: str, metadata: dict[str, str], idempotency_key: str
) -> SubscriptionInfo:
    """Take payments again from the next renewal on (nothing is charged now)."""
    subscription = call(
        stripe_client().v1.subscriptions.update,
        subscription_id,
        {"pause_collection": "", "metadata": metadata, "expand": ["default_payment_method"]},
        {"idempotency_key": idempotency_key},
    )
    return convert.subscription(subscription)


def refund_create(
    *, charge_id: str, amount: int, metadata: dict[str, str], idempotency_key: str
) -> RefundInfo:
    """Give back `amount` (minor units) of a charge; the same key retried is one refund."""
    refund = call(
        stripe_client().v1.refunds.create,
        {"charge": charge_id, "amount": amount, "metadata": metadata},
        {"idempotency_key": idempotency_key},
    )
    return convert.refund(refund)


def customer_delete(customer_id: str) -> None:
    """Delete the customer and what Stripe holds of them (a privacy erasure). Stripe ends
    their subscriptions too. A customer already deleted counts as done."""
    try:
        call(stripe_client().v1.customers.delete, customer_id)
    except GatewayError as error:
        if "No such customer" not in str(error):
            raise


def billing_portal_session_create(*, customer_id: str, return_url: str) -> str:
    """A portal session that opens straight on the card update, and comes back after."""
    params: dict = {
        "customer": customer_id,
        "return_url": return_url,
        "flow_data": {
            "type": "payment_method_update",
            "after_completion": {"type": "redirect", "redirect": {"return_url": return_url}},
        },
    }
    if settings.STRIPE_PORTAL_CONFIGURATION:
        params["configuration"] = settings.STRIPE_PORTAL_CONFIGURATION
    session = call(stripe_client().v1.billing_portal.sessions.create, params)
    return session["url"]


def charge_retrieve(charge_id: str) -> ChargeInfo:
    """The charge with its balance transaction and its refunds, each with its own balance
    transaction and its failure's."""
    charge = call(stripe_client().v1.charges.retrieve, charge_id, {"expand": list(CHARGE_EXPAND)})
    return convert.charge(charge)


# What a charge is read with: its money, and each refund's (Stripe expands four levels deep
# at most, so these also fit below a payment intent's `latest_charge`).
CHARGE_EXPAND = (
    "balance_transaction",
    "refunds.data.balance_transaction",
    "refunds.data.failure_balance_transaction",
)


def payment_intent_charge_retrieve(payment_intent_id: str) -> ChargeInfo | None:
    """The intent's latest charge, read in the same call as the intent (one call, not two:
    a renewal's invoice is paid by an intent, and every paid invoice is read this way)."""
    intent = call(
        stripe_client().v1.payment_intents.retrieve,
        payment_intent_id,
        {"expand": [f"latest_charge.{path}" for path in CHARGE_EXPAND]},
    )
    latest = intent.get("latest_charge")
    return convert.charge(latest) if isinstance(latest, dict) else None


def invoice_retrieve(invoice_id: str) -> InvoiceInfo:
    """The invoice, with the charge that paid it (if any) and its balance transaction, and
    the subscription it bills."""
    client = stripe_client()
    # Its payments are a field Stripe includes when asked, and its subscription expands: one
    # call instead of a list of payments and a retrieve of the subscription.
    invoice = call(
        client.v1.invoices.retrieve,
        invoice_id,
        {"expand": ["payments", "parent.subscription_details.subscription.default_payment_method"]},
    )
    payments = invoice.get("payments") or {}
    paid_charge = None
    needs_action = False
    for invoice_payment in payments.get("data") or []:
        payment = invoice_payment["payment"]
        intent_id = convert.object_id(payment.get("payment_intent"))
        if invoice_payment.get("status") == "open" and intent_id and invoice["status"] == "open":
            intent = call(client.v1.payment_intents.retrieve, intent_id)
            needs_action = intent.get("status") == "requires_action"
        if invoice_payment.get("status") != "paid":
            continue
        if charge_id := convert.object_id(payment.get("charge")):
            paid_charge = charge_retrieve(charge_id)
        elif intent_id:
            paid_charge = payment_intent_charge_retrieve(intent_id)
        break
    return convert.invoice(invoice, paid_charge=paid_charge, needs_action=needs_action)


def refund_retrieve(refund_id: str) -> RefundInfo:
    refund = call(
        stripe_client().v1.refunds.retrieve,
        refund_id,
        {"expand": ["balance_transaction", "failure_balance_transaction"]},
    )
    return convert.refund(refund)


def dispute_retrieve(dispute_id: str) -> DisputeInfo:
    """The dispute with its balance transactions (Stripe always lists them in full)."""
    return convert.dispute(call(stripe_client().v1.disputes.retrieve, dispute_id))


def payout_retrieve(payout_id: str) -> PayoutInfo:
    """The payout, and, once Stripe has completed its reconciliation, every balance
    transaction it paid out (all pages, its own transaction left out). A manual payout, or
    one still reconciling, comes without them: Stripe refuses or cannot yet list them."""
    client = stripe_client()
    payout = call(client.v1.payouts.retrieve, payout_id)
    transactions = []
    if payout.get("automatic") and payout.get("reconciliation_status") == "completed":
        params: dict = {"payout": payout_id, "limit": 100, "expand": ["data.source"]}
        while True:
            page = call(client.v1.balance_transactions.list, params)
            transactions += [
                info
                for obj in page["data"]
                if convert.object_id(obj.get("source")) != payout_id
                and (info := convert.balance_transaction(obj))
            ]
            if not page["has_more"] or not page["data"]:
                break
            params["starting_after"] = page["data"][-1]["id"]
    return convert.payout(payout, transactions=transactions)


def balance_transactions_list(
    *, created_from: datetime, created_to: datetime
) -> list[BalanceTransactionInfo]:
    """Every balance transaction created in [created_from, created_to), all pages, each with
    what its source (charge, refund, dispute) tells the ledger."""
    client = stripe_client()
    params: dict = {
        "created": {"gte": int(created_from.timestamp()), "lt": int(created_to.timestamp())},
        "limit": 100,
        "expand": ["data.source"],
    }
    transactions = []
    while True:
        page = call(client.v1.balance_transactions.list, params)
        transactions += [info for obj in page["data"] if (info := convert.balance_transaction(obj))]
        if not page["has_more"] or not page["data"]:
            return transactions
        params["starting_after"] = page["data"][-1]["id"]


# Stripe's itemized payout reconciliation report: every balance transaction paid out by an
# automatic payout, one row each; we ask for these columns (see subscriptions/reports).
ITEMIZED_PAYOUT_REPORT = "payout_reconciliation.itemized.5"


def report_run_create(
    *,
    report_type: str,
    interval_start: datetime,
    interval_end: datetime,
    columns: list[str],
    currency: str = "",
) -> ReportRunInfo:
    parameters: dict = {
        "interval_start": int(interval_start.timestamp()),
        "interval_end": int(interval_end.timestamp()),
        "columns": columns,
    }
    if currency:
        parameters["currency"] = currency
    run = call(
        stripe_client().v1.reporting.report_runs.create,
        {"report_type": report_type, "parameters": parameters},
    )
    return convert.report_run(run)


def report_run_retrieve(report_run_id: str) -> ReportRunInfo:
    return convert.report_run(
        call(stripe_client().v1.reporting.report_runs.retrieve, report_run_id)
    )


def report_file_download(url: str) -> str:
    """A report run's file, as text. Stripe serves it from its files host, authenticated with
    the secret key, which is sent only to Stripe's files host or to our STRIPE_API_BASE."""
    allowed = settings.STRIPE_API_BASE or "https://files.stripe.com"
    if not url.startswith(allowed.rstrip("/") + "/"):
        raise GatewayError(f"A report file is expected under {allowed}, not at {url}.")
    try:
        response = requests.get(
            url,
            auth=(settings.STRIPE_SECRET_KEY, ""),
            timeout=(settings.STRIPE_CONNECT_TIMEOUT, settings.STRIPE_READ_TIMEOUT),
        )
    except requests.RequestException as error:
        raise GatewayUnavailable(str(error)) from error
    if response.status_code != 200:
        raise GatewayError(f"Stripe answered {response.status_code} for a report file.")
    response.encoding = "utf-8"
    return response.text


def webhook_event_verify(*, payload: bytes, signature: str) -> VerifiedEvent:
    """Check the Stripe-Signature header on the raw body before trusting any of it.

    WebhookSignatureInvalid when the body is not ours (or too old); WebhookEventInvalid
    when it is signed but is not a whole event.
    """
    secrets = webhook_secrets()
    if not secrets:
        raise WebhookSignatureInvalid("No STRIPE_WEBHOOK_SECRET is set: no event can be trusted.")
    refused: Exception | None = None
    for secret in secrets:
        try:
            stripe.WebhookSignature.verify_header(
                payload, signature, secret, WEBHOOK_TOLERANCE_SECONDS
            )
        except (stripe.SignatureVerificationError, ValueError, TypeError) as error:
            # ValueError: a body that is not UTF-8; TypeError: a signature that is not ASCII.
            refused = error
            continue
        return verified_event_from(payload)
    raise WebhookSignatureInvalid(str(refused)) from refused


def webhook_secrets() -> list[str]:
    """STRIPE_WEBHOOK_SECRET, or several separated by commas while one is being rotated:
    an event signed with any of them is accepted."""
    return [part.strip() for part in settings.STRIPE_WEBHOOK_SECRET.split(",") if part.strip()]
