"""Which email each fact deserves. Called inside the transaction that records the fact."""

import calendar
import uuid
from datetime import UTC, datetime

from django.conf import settings
from django.urls import reverse

from subscriptions.emails.render import local_date, money
from subscriptions.models import (
    Contribution,
    EmailKind,
    OutboxEmail,
    Payment,
    Supporter,
)
from subscriptions.pledges import FREQUENCY_PHRASES
from subscriptions.signing import IN_EMAIL, manage_token_make

from .outbox import outbox_email_queue
from .receipts import receipt_number_assign


def _plan_context(contribution: Contribution) -> dict:
    return {
        "contribution": contribution,
        "amount": money(contribution.amount, contribution.currency),
        "frequency_words": FREQUENCY_PHRASES[contribution.frequency],
        "next_payment_date": local_date(contribution.current_period_end),
    }


def payment_recorded(payment: Payment) -> None:
    """A payment: a receipt always, and a thank-you if it is the plan's first."""
    supporter = payment.supporter
    if supporter is None:
        return
    receipt_number_assign(payment)
    context = {
        "payment": payment,
        "receipt_number": payment.receipt_number,
        "amount": money(payment.amount, payment.currency),
        "paid_date": local_date(payment.paid_at),
        "contribution": payment.contribution,
        "frequency_words": FREQUENCY_PHRASES.get(
            payment.contribution.frequency if payment.contribution else "once", "once"
        ),
    }
    outbox_email_queue(
        supporter=supporter, kind=EmailKind.RECEIPT, key=payment.stripe_charge_id, context=context
    )
    contribution = payment.contribution
    if contribution and contribution.payments.order_by("paid_at", "pk").first() == payment:
        outbox_email_queue(
            supporter=supporter,
            kind=EmailKind.THANK_YOU,
            key=str(contribution.public_id),
            context={**_plan_context(contribution), "amount": context["amount"]},
        )


def payment_failed(
    contribution: Contribution,
    *,
    invoice_id: str,
    attempt: int,
    amount: int,
    next_attempt: datetime | None,
) -> None:
    if contribution.supporter is None:
        return
    outbox_email_queue(
        supporter=contribution.supporter,
        kind=EmailKind.PAYMENT_FAILED,
        key=f"{invoice_id}:{attempt}",
        context={
            **_plan_context(contribution),
            "amount": money(amount, contribution.currency),
            "retry_date": local_date(next_attempt),
        },
    )


def plan_changed(
    contribution: Contribution, *, price_id: str, old_amount: int, old_frequency: str
) -> None:
    if contribution.supporter is None:
        return
    outbox_email_queue(
        supporter=contribution.supporter,
        kind=EmailKind.PLAN_CHANGED,
        key=f"{contribution.stripe_subscription_id}:{price_id}",
        context={
            **_plan_context(contribution),
            "old_amount": money(old_amount, contribution.currency),
            "old_frequency_words": FREQUENCY_PHRASES[old_frequency],
        },
    )


def plan_cancelled(contribution: Contribution) -> None:
    """Confirm a cancellation once: when it is asked for, or when the plan ends unasked."""
    supporter = contribution.supporter
    if supporter is None:
        return
    subscription = contribution.stripe_subscription_id
    if contribution.status != "canceled":
        key = f"{subscription}:ends:{contribution.current_period_end:%Y%m%d}"
    elif OutboxEmail.objects.filter(
        supporter=supporter, kind=EmailKind.CANCELLATION, key__startswith=f"{subscription}:"
    ).exists():
        return  # already confirmed when it was asked for
    else:
        key = f"{subscription}:ended"
    outbox_email_queue(
        supporter=supporter,
        kind=EmailKind.CANCELLATION,
        key=key,
        context={
            **_plan_context(contribution),
            "ends_date": local_date(contribution.current_period_end),
            "ended": contribution.status == "canceled",
            "payment_failures": contribution.cancel_reason == "payment_failed",
        },
    )


def refund_issued(payment: Payment, *, refunded_now: int) -> None:
    if payment.supporter is None or refunded_now <= 0:
        return
    outbox_email_queue(
        supporter=payment.supporter,
        kind=EmailKind.REFUND,
        key=f"{payment.stripe_charge_id}:{payment.amount_refunded}",
        context={
            "payment": payment,
            "amount": money(refunded_now, payment.currency),
            "original_amount": money(payment.amount, payment.currency),
            "paid_date": local_date(payment.paid_at),
            "whole": payment.amount_refunded >= payment.amount,
        },
    )


def renewal_coming(contribution: Contribution) -> None:
    """Seven days before a yearly plan renews (Stripe's invoice.upcoming)."""
    if contribution.supporter is None or contribution.frequency != "year":
        return
    if not contribution.is_changeable or contribution.cancel_at_period_end:
        return
    context = _plan_context(contribution)
    outbox_email_queue(
        supporter=contribution.supporter,
        kind=EmailKind.RENEWAL_COMING,
        key=f"{contribution.stripe_subscription_id}:{contribution.current_period_end:%Y%m%d}",
        context={**context, "renewal_date": context["next_payment_date"]},
    )


def card_expiry_date(contribution: Contribution) -> datetime | None:
    """The moment the card stops working: the end of its expiry month."""
    if not (contribution.card_exp_year and contribution.card_exp_month):
        return None
    year, month = contribution.card_exp_year, contribution.card_exp_month
    last_day = calendar.monthrange(year, month)[1]
    return datetime(year, month, last_day, 23, 59, 59, tzinfo=UTC)


def card_expiring(contribution: Contribution) -> None:
    if contribution.supporter is None:
        return
    outbox_email_queue(
        supporter=contribution.supporter,
        kind=EmailKind.CARD_EXPIRING,
        key=(
            f"{contribution.stripe_subscription_id}:{contribution.card_last4}:"
            f"{contribution.card_exp_year}-{contribution.card_exp_month:02d}"
        ),
        context={
            **_plan_context(contribution),
            "card": f"{contribution.card_brand.title()} ending {contribution.card_last4}",
            "expiry": f"{contribution.card_exp_month:02d}/{contribution.card_exp_year}",
        },
    )


def win_back(supporter: Supporter, *, contribution: Contribution) -> None:
    outbox_email_queue(
        supporter=supporter,
        kind=EmailKind.WIN_BACK,
        key="win-back",  # once per supporter, ever
        context={**_plan_context(contribution), "ended_date": local_date(contribution.ended_at)},
    )


def year_end_statement(
    supporter: Supporter, *, year: int, totals: list[str], payment_count: int
) -> None:
    token = manage_token_make(supporter_id=supporter.pk, purpose=IN_EMAIL)
    statement_url = settings.SITE_URL + reverse(
        "subscriptions:statement", kwargs={"token": token, "year": year}
    )
    outbox_email_queue(
        supporter=supporter,
        kind=EmailKind.YEAR_END,
        key=str(year),
        context={
            "year": year,
            "totals": totals,
            "payment_count": payment_count,
            "statement_url": statement_url,
        },
    )


def manage_link(supporter: Supporter) -> None:
    """A fresh link each time the supporter asks (the rate limit keeps this in check)."""
    token = manage_token_make(supporter_id=supporter.pk)
    requested_url = settings.SITE_URL + reverse("subscriptions:manage", kwargs={"token": token})
    outbox_email_queue(
        supporter=supporter,
        kind=EmailKind.MANAGE_LINK,
        key=str(uuid.uuid4()),
        context={"requested_manage_url": requested_url},
    )
