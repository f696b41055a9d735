"""Turn the SDK's StripeObjects into our plain types."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from .types import (
    BalanceTransactionInfo,
    ChargeInfo,
    CheckoutSessionInfo,
    CustomerInfo,
    DisputeInfo,
    InvoiceInfo,
    PayoutInfo,
    RefundInfo,
    ReportRunInfo,
    ScheduleInfo,
    SubscriptionInfo,
)


def timestamp(value: int | None) -> datetime | None:
    """An optional Stripe time (a missing or zero one is None)."""
    return datetime.fromtimestamp(value, tz=UTC) if value else None


def instant(value: int) -> datetime:
    """A Stripe time that every object of its kind carries."""
    return datetime.fromtimestamp(value, tz=UTC)


def object_id(value: Any) -> str:
    """An expandable field holds either an id or the expanded object."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return value.get("id") or ""


def _metadata(obj: Any) -> dict[str, str]:
    return dict(obj.get("metadata") or {})


def checkout_session(session: Any) -> CheckoutSessionInfo:
    details = session.get("customer_details") or {}
    return CheckoutSessionInfo(
        id=session["id"],
        url=session.get("url") or "",
        mode=session["mode"],
        status=session.get("status") or "",
        payment_status=session.get("payment_status") or "",
        client_reference_id=session.get("client_reference_id") or "",
        metadata=_metadata(session),
        customer_id=object_id(session.get("customer")),
        customer_email=details.get("email") or session.get("customer_email") or "",
        customer_name=details.get("name") or "",
        subscription_id=object_id(session.get("subscription")),
        payment_intent_id=object_id(session.get("payment_intent")),
        amount_total=session.get("amount_total") or 0,
        currency=session.get("currency") or "",
    )


def customer(obj: Any) -> CustomerInfo:
    return CustomerInfo(id=obj["id"], email=obj.get("email") or "", name=obj.get("name") or "")


def subscription(obj: Any) -> SubscriptionInfo:
    item = obj["items"]["data"][0]
    price = item["price"]
    recurring = price.get("recurring") or {}
    card: dict[str, Any] = {}
    payment_method = obj.get("default_payment_method")
    if payment_method and not isinstance(payment_method, str):
        card = payment_method.get("card") or {}
    return SubscriptionInfo(
        id=obj["id"],
        status=obj["status"],
        customer_id=object_id(obj.get("customer")),
        metadata=_metadata(obj),
        item_id=item["id"],
        price_id=price["id"],
        product_id=object_id(price.get("product")),
        amount=price.get("unit_amount") or 0,
        currency=price["currency"],
        interval=recurring.get("interval") or "",
        current_period_end=timestamp(item.get("current_period_end")),
        cancel_at_period_end=bool(obj.get("cancel_at_period_end")),
        started_at=timestamp(obj.get("start_date")),
        ended_at=timestamp(obj.get("ended_at")),
        card_brand=card.get("brand") or "",
        card_last4=card.get("last4") or "",
        card_exp_month=card.get("exp_month"),
        card_exp_year=card.get("exp_year"),
        schedule_id=object_id(obj.get("schedule")),
        cancel_at=timestamp(obj.get("cancel_at")),
        cancellation_reason=(obj.get("cancellation_details") or {}).get("reason") or "",
        cancellation_feedback=(obj.get("cancellation_details") or {}).get("feedback") or "",
        collection_paused=bool(obj.get("pause_collection")),
        collection_resumes_at=timestamp((obj.get("pause_collection") or {}).get("resumes_at")),
    )


def next_phase(obj: Any) -> Any:
    """The phase after the current one, or None when nothing is scheduled to change."""
    current = obj.get("current_phase") or {}
    if obj.get("status") != "active" or not current:
        return None
    return next(
        (p for p in obj.get("phases") or [] if p["start_date"] >= current["end_date"]), None
    )


def schedule(obj: Any, *, next_price: Any = None) -> ScheduleInfo:
    upcoming = next_phase(obj)
    recurring = (next_price or {}).get("recurring") or {}
    return ScheduleInfo(
        id=obj["id"],
        status=obj["status"],
        subscription_id=object_id(obj.get("subscription"))
        or (obj.get("released_subscription") or ""),
        next_phase_starts_at=timestamp(upcoming["start_date"]) if upcoming else None,
        next_amount=next_price.get("unit_amount") if upcoming and next_price else None,
        next_interval=recurring.get("interval") or "" if upcoming else "",
    )


def refund(obj: Any) -> RefundInfo:
    return RefundInfo(
        id=obj["id"],
        status=obj.get("status") or "",
        amount=obj["amount"],
        currency=obj["currency"],
        charge_id=object_id(obj.get("charge")),
        created=datetime.fromtimestamp(obj["created"], tz=UTC),
        failure_reason=obj.get("failure_reason") or "",
        failure_balance_transaction=balance_transaction(obj.get("failure_balance_transaction")),
        balance_transaction=balance_transaction(obj.get("balance_transaction"), source=obj),
    )


def source_details(source: Any) -> dict[str, Any]:
    """What an expanded source (charge, refund or dispute) tells the ledger; an id alone or a
    payout tells it nothing more."""
    if not isinstance(source, dict):
        return {}
    kind = source.get("object")
    if kind == "charge":
        method = source.get("payment_method_details") or {}
        card = method.get("card") or {}
        return {
            "charge_id": source["id"],
            "customer_id": object_id(source.get("customer")),
            "customer_facing_amount": source.get("amount"),
            "customer_facing_currency": source.get("currency") or "",
            "payment_method_type": method.get("type") or "",
            "card_brand": card.get("brand") or "",
            "card_country": card.get("country") or "",
        }
    if kind in ("refund", "dispute"):
        amount = source.get("amount")
        return {
            "charge_id": object_id(source.get("charge")),
            "customer_facing_amount": None if amount is None else -amount,
            "customer_facing_currency": source.get("currency") or "",
            "dispute_reason": (source.get("reason") or "") if kind == "dispute" else "",
        }
    return {}


def balance_transaction(
    obj: Any, *, source: dict[str, Any] | None = None
) -> BalanceTransactionInfo | None:
    """A balance transaction; `source` is the charge it belongs to when the caller has it
    (a charge's own transaction arrives expanded inside the charge)."""
    if not obj or isinstance(obj, str):
        return None
    return BalanceTransactionInfo(
        id=obj["id"],
        type=obj.get("type") or "",
        amount=obj["amount"],
        fee=obj["fee"],
        net=obj["net"],
        currency=obj["currency"],
        reporting_category=obj.get("reporting_category") or "",
        source_id=object_id(obj.get("source")),
        created=instant(obj["created"]),
        available_on=instant(obj["available_on"]),
        exchange_rate=rate(obj.get("exchange_rate")),
        description=obj.get("description") or "",
        **source_details(source if source is not None else obj.get("source")),
    )


def rate(value: float | None) -> Decimal | None:
    """Stripe's `exchange_rate`, a JSON number, as the decimal it was written as."""
    return None if value is None else Decimal(str(value))


def charge(obj: Any) -> ChargeInfo:
    billing = obj.get("billing_details") or {}
    return ChargeInfo(
        id=obj["id"],
        status=obj.get("status") or "",
        amount=obj["amount"],
        currency=obj["currency"],
        amount_refunded=obj.get("amount_refunded") or 0,
        customer_id=object_id(obj.get("customer")),
        payment_intent_id=object_id(obj.get("payment_intent")),
        billing_email=billing.get("email") or "",
        billing_name=billing.get("name") or "",
        created=instant(obj["created"]),
        metadata=_metadata(obj),
        balance_transaction=balance_transaction(obj.get("balance_transaction"), source=obj),
        refunds=tuple(refund(r) for r in (obj.get("refunds") or {}).get("data") or []),
    )


def invoice(obj: Any, *, paid_charge: ChargeInfo | None, needs_action: bool = False) -> InvoiceInfo:
    parent = obj.get("parent") or {}
    details = parent.get("subscription_details") or {}
    return InvoiceInfo(
        id=obj["id"],
        status=obj.get("status") or "",
        billing_reason=obj.get("billing_reason") or "",
        customer_id=object_id(obj.get("customer")),
        customer_email=obj.get("customer_email") or "",
        subscription_id=object_id(details.get("subscription")),
        amount_paid=obj.get("amount_paid") or 0,
        amount_due=obj.get("amount_due") or 0,
        attempt_count=obj.get("attempt_count") or 0,
        currency=obj["currency"],
        next_payment_attempt=timestamp(obj.get("next_payment_attempt")),
        charge=paid_charge,
        hosted_invoice_url=obj.get("hosted_invoice_url") or "",
        needs_action=needs_action,
        subscription=(
            subscription(details["subscription"])
            if isinstance(details.get("subscription"), dict)
            else None
        ),
    )


def dispute(obj: Any) -> DisputeInfo:
    return DisputeInfo(
        id=obj["id"],
        charge_id=object_id(obj.get("charge")),
        status=obj["status"],
        amount=obj["amount"],
        balance_transactions=tuple(
            info
            for txn in obj.get("balance_transactions") or []
            if (info := balance_transaction(txn, source=obj))
        ),
    )


def report_run(obj: Any) -> ReportRunInfo:
    result = obj.get("result") or {}
    return ReportRunInfo(
        id=obj["id"],
        report_type=obj.get("report_type") or "",
        status=obj.get("status") or "",
        file_url=(result.get("url") or "") if isinstance(result, dict) else "",
        error=obj.get("error") or "",
    )


def payout(obj: Any, *, transactions: list[BalanceTransactionInfo]) -> PayoutInfo:
    return PayoutInfo(
        id=obj["id"],
        amount=obj["amount"],
        currency=obj["currency"],
        status=obj["status"],
        arrival_date=instant(obj["arrival_date"]),
        automatic=bool(obj.get("automatic")),
        reconciliation_status=obj.get("reconciliation_status") or "",
        failure_code=obj.get("failure_code") or "",
        failure_message=obj.get("failure_message") or "",
        balance_transactions=transactions,
    )
