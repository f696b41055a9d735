"""Each kind of email, declared once: when it is due, its once-only key, what its
templates are given, its subject, and whether it is a reminder.

Reminders (and win-back) carry one-click unsubscribe and are not sent to supporters who
unsubscribed or whose address bounced; everything else (receipts, failed payments, plan
changes) is always sent. The key makes an email once-only: the outbox holds one row per
(supporter, kind, key), so a repeated webhook or a rerun scan queues nothing new.

Builders take the facts the caller passes to `email_queue` (always with `supporter`).
"""

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from subscriptions.models import EmailKind, OutboxEmail, Payment, Supporter
from subscriptions.models.supporters import CancelReason
from subscriptions.money import currency_symbol_amount
from subscriptions.pledges import FREQUENCY_ADVERBS, Frequency, product_name

from .formatting import lifetime, local_date, money
from .links import REQUESTED_MANAGE, YEAR_STATEMENT, link_placeholder

Facts = Mapping[str, Any]
StrOrPromise = str | Promise
# Reasons only the supporter gives (on the manage page, or as feedback Stripe recorded).
SUPPORTER_REASONS = {
    CancelReason.TOO_EXPENSIVE,
    CancelReason.SUPPORT_ELSEWHERE,
    CancelReason.UNHAPPY,
    CancelReason.TEMPORARY,
    CancelReason.OTHER,
}


def _always(facts: Facts) -> bool:
    return True


@dataclass(frozen=True)
class EmailSpec:
    kind: str
    # Lazy, so it is read in the supporter's language; then str.format()ed with the
    # email's full context ({newsroom}, {receipt_number}...).
    subject: StrOrPromise
    key: Callable[[Facts], str]
    context: Callable[[Facts], dict[str, Any]]
    reminder: bool = False
    due: Callable[[Facts], bool] = _always

    def template(self, extension: str) -> str:
        return f"emails/{self.kind}.{extension}"


def _plan(facts: Facts) -> dict[str, Any]:
    contribution = facts["contribution"]
    return {
        "contribution": contribution,
        "amount": money(contribution.amount, contribution.currency),
        "frequency_words": str(FREQUENCY_ADVERBS[contribution.frequency]),
        "next_payment_date": local_date(contribution.current_period_end),
    }


def _subscription_key(facts: Facts, suffix: str) -> str:
    return f"{facts['contribution'].stripe_subscription_id}:{suffix}"


# Payments


def _receipt_context(facts: Facts) -> dict[str, Any]:
    payment = facts["payment"]
    contribution = payment.contribution
    frequency = contribution.frequency if contribution else Frequency.ONCE
    return {
        "payment": payment,
        "receipt_number": payment.receipt_number,
        "amount": money(payment.amount, payment.currency),
        "paid_date": local_date(payment.paid_at),
        "contribution": contribution,
        # What was given, as Stripe's product names it: "Monthly support for <newsroom>".
        "given_for": product_name(frequency),
    }


def _is_first_payment_of_a_contribution(facts: Facts) -> bool:
    payment = facts["payment"]
    contribution = payment.contribution
    return (
        contribution is not None
        and contribution.payments.order_by("paid_at", "pk").first() == payment
    )


def _is_first_gift_ever(payment: Payment, supporter: Supporter) -> bool:
    """No earlier payment from this supporter, on this plan or any other."""
    earliest = Payment.objects.filter(supporter=supporter).order_by("paid_at", "pk").first()
    return earliest is None or earliest.pk == payment.pk


def _thank_you_context(facts: Facts) -> dict[str, Any]:
    payment = facts["payment"]
    return {
        **_plan({"contribution": payment.contribution}),
        "amount": money(payment.amount, payment.currency),
        "first_gift_ever": _is_first_gift_ever(payment, facts["supporter"]),
    }


def _refund_context(facts: Facts) -> dict[str, Any]:
    payment = facts["payment"]
    return {
        "payment": payment,
        "amount": money(facts["refunded_now"], payment.currency),
        "original_amount": money(payment.amount, payment.currency),
        "paid_date": local_date(payment.paid_at),
        "whole": payment.amount_refunded >= payment.amount,
    }


def _payment_failed_context(facts: Facts) -> dict[str, Any]:
    return {
        **_plan(facts),
        "amount": money(facts["amount"], facts["contribution"].currency),
        "retry_date": local_date(facts["next_attempt"]),
    }


def _payment_action_required_context(facts: Facts) -> dict[str, Any]:
    return {
        **_plan(facts),
        "amount": money(facts["amount"], facts["contribution"].currency),
        "confirm_url": facts["confirm_url"],
    }


# Plans


def _contribution_changed_context(facts: Facts) -> dict[str, Any]:
    return {
        **_plan(facts),
        "old_amount": money(facts["old_amount"], facts["contribution"].currency),
        "old_frequency_words": str(FREQUENCY_ADVERBS[facts["old_frequency"]]),
    }


def _cancellation_key(facts: Facts) -> str:
    contribution = facts["contribution"]
    if contribution.status == "canceled":
        return _subscription_key(facts, "ended")
    return _subscription_key(facts, f"ends:{contribution.ends_on:%Y%m%d}")


def _cancellation_not_yet_confirmed(facts: Facts) -> bool:
    """Confirm once: when it is asked for, or when the plan ends unasked."""
    contribution = facts["contribution"]
    if contribution.status != "canceled":
        return True
    return not OutboxEmail.objects.filter(
        supporter=facts["supporter"],
        kind=EmailKind.CANCELLATION,
        key__startswith=f"{contribution.stripe_subscription_id}:",
    ).exists()


def _cancellation_context(facts: Facts) -> dict[str, Any]:
    contribution = facts["contribution"]
    return {
        **_plan(facts),
        "ends_date": local_date(contribution.ends_on),
        "ended": contribution.status == "canceled",
        "payment_failures": contribution.cancel_reason == CancelReason.PAYMENT_FAILED,
        "payment_disputed": contribution.cancel_reason == CancelReason.PAYMENT_DISPUTED,
        "supporter_asked": contribution.cancel_reason in SUPPORTER_REASONS,
    }


def _renewal_due(facts: Facts) -> bool:
    """Seven days before a yearly plan renews (Stripe's invoice.upcoming)."""
    contribution = facts["contribution"]
    return (
        contribution.frequency == "year"
        and contribution.is_changeable
        and not contribution.cancel_at_period_end
    )


def _renewal_context(facts: Facts) -> dict[str, Any]:
    context = _plan(facts)
    return {**context, "renewal_date": context["next_payment_date"]}


def _card_expiring_key(facts: Facts) -> str:
    contribution = facts["contribution"]
    return _subscription_key(
        facts,
        f"{contribution.card_last4}:{contribution.card_exp_year}-{contribution.card_exp_month:02d}",
    )


def _card_expiring_context(facts: Facts) -> dict[str, Any]:
    contribution = facts["contribution"]
    return {
        **_plan(facts),
        "card": gettext("%(brand)s ending %(last4)s")
        % {"brand": contribution.card_brand.title(), "last4": contribution.card_last4},
        "expiry": f"{contribution.card_exp_month:02d}/{contribution.card_exp_year}",
    }


# Supporters


def _year_end_context(facts: Facts) -> dict[str, Any]:
    return {
        "year": facts["year"],
        "totals": facts["totals"],
        "payment_count": facts["payment_count"],
        "statement_url": link_placeholder(YEAR_STATEMENT, year=facts["year"]),
        "statement_link_lifetime": lifetime(settings.STATEMENT_LINK_MAX_AGE),
    }


def _manage_link_context(facts: Facts) -> dict[str, Any]:
    # One link in this email, the one asked for: the footer's link is the same.
    url = link_placeholder(REQUESTED_MANAGE)
    return {
        "requested_manage_url": url,
        "manage_url": url,
        "manage_link_lifetime": lifetime(settings.MANAGE_LINK_MAX_AGE),
    }


_SPECS = [
    EmailSpec(
        EmailKind.THANK_YOU,
        _("Thank you for supporting {newsroom}"),
        key=lambda facts: str(facts["payment"].contribution.public_id),
        context=_thank_you_context,
        due=_is_first_payment_of_a_contribution,
    ),
    EmailSpec(
        EmailKind.RECEIPT,
        _("Your receipt {receipt_number} from {newsroom}"),
        # Staff resending a receipt pass `resend` (their form's token): a new copy, once.
        key=lambda facts: (
            facts["payment"].stripe_charge_id
            + (f":resend:{facts['resend']}" if facts.get("resend") else "")
        ),
        context=_receipt_context,
    ),
    EmailSpec(
        EmailKind.PAYMENT_FAILED,
        _("Your payment to {newsroom} did not go through"),
        key=lambda facts: f"{facts['invoice_id']}:{facts['attempt']}",
        context=_payment_failed_context,
    ),
    EmailSpec(
        EmailKind.PAYMENT_ACTION_REQUIRED,
        _("Please confirm your payment to {newsroom}"),
        key=lambda facts: facts["invoice_id"],
        context=_payment_action_required_context,
    ),
    EmailSpec(
        EmailKind.CARD_EXPIRING,
        _("Your card expires before your next gift to {newsroom}"),
        key=_card_expiring_key,
        context=_card_expiring_context,
        reminder=True,
    ),
    EmailSpec(
        EmailKind.RENEWAL_COMING,
        _("Your yearly support for {newsroom} renews on {renewal_date}"),
        key=lambda facts: _subscription_key(
            facts, f"{facts['contribution'].current_period_end:%Y%m%d}"
        ),
        context=_renewal_context,
        reminder=True,
        due=_renewal_due,
    ),
    EmailSpec(
        EmailKind.CONTRIBUTION_CHANGED,
        _("Your support for {newsroom} has changed"),
        key=lambda facts: _subscription_key(facts, facts["price_id"]),
        context=_contribution_changed_context,
    ),
    EmailSpec(
        EmailKind.CANCELLATION,
        _("Your support for {newsroom} is cancelled"),
        key=_cancellation_key,
        context=_cancellation_context,
        due=_cancellation_not_yet_confirmed,
    ),
    EmailSpec(
        EmailKind.CONTINUES,
        _("Your support for {newsroom} continues"),
        # Once per period, as the cancellation it undoes is confirmed once per period.
        key=lambda facts: _subscription_key(
            facts, f"continues:{facts['contribution'].current_period_end:%Y%m%d}"
        ),
        context=_plan,
    ),
    EmailSpec(
        EmailKind.REFUND,
        _("Your refund from {newsroom}"),
        # One email per Stripe refund (older rows: per refunded total of the charge).
        key=lambda facts: (
            facts.get("refund_id")
            or f"{facts['payment'].stripe_charge_id}:{facts['payment'].amount_refunded}"
        ),
        context=_refund_context,
        due=lambda facts: facts["refunded_now"] > 0,
    ),
    EmailSpec(
        EmailKind.WIN_BACK,
        _("We miss you at {newsroom}"),
        key=lambda facts: "win-back",  # once per supporter, ever
        context=lambda facts: {
            **_plan(facts),
            "ended_date": local_date(facts["contribution"].ended_at),
            "smallest_gift": currency_symbol_amount(
                settings.CONTRIBUTION_MINIMUM, currency=facts["contribution"].currency
            ),
        },
        reminder=True,
    ),
    EmailSpec(
        EmailKind.YEAR_END,
        _("Your {year} giving statement from {newsroom}"),
        key=lambda facts: str(facts["year"]),
        context=_year_end_context,
    ),
    EmailSpec(
        EmailKind.MANAGE_LINK,
        _("Your link to manage your support for {newsroom}"),
        # A fresh link each time the supporter asks (the rate limit keeps this in check).
        key=lambda facts: str(uuid.uuid4()),
        context=_manage_link_context,
    ),
]

SPECS: dict[str, EmailSpec] = {spec.kind: spec for spec in _SPECS}
