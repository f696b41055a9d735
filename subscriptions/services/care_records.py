"""Records supporter care reads: each supporter's summary row and each plan's history.

The summary (state, current plan, lifetime totals, first gift) is recomputed from the
supporter's own rows whenever one of their contributions or payments is saved, so the
list of a million supporters reads one indexed row per line and never aggregates.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Min, Sum
from django.utils import timezone

from subscriptions.models import (
    ChangedBy,
    Contribution,
    ContributionChange,
    Payment,
    PossibleDuplicate,
    Supporter,
    SupporterState,
)
from subscriptions.models.supporters import ContributionStatus, Frequency


class DuplicateKind:
    SAME_GIFT = "same_gift"
    TWO_PLANS = "two_plans"


RUNNING = {ContributionStatus.ACTIVE, ContributionStatus.TRIALING}
TROUBLED = {ContributionStatus.PAST_DUE, ContributionStatus.UNPAID}
ENDED = {ContributionStatus.CANCELED, ContributionStatus.INCOMPLETE_EXPIRED}
FAILED = {*TROUBLED, ContributionStatus.FAILED}


def monthly_equivalent(*, amount: int, frequency: str) -> int:
    """What a plan gives per month, in minor units (a yearly plan over twelve months)."""
    if frequency == Frequency.YEAR:
        return round(amount / 12)
    if frequency == Frequency.MONTH:
        return amount
    return 0


def supporter_summary_refresh(*, supporter_id: int) -> None:
    """Recompute one supporter's summary columns from their contributions and payments."""
    plans = list(
        Contribution.objects.filter(supporter_id=supporter_id)
        .exclude(status__in=[ContributionStatus.PENDING, ContributionStatus.EXPIRED])
        .order_by("-created_at")
        .values("amount", "currency", "frequency", "status")
    )
    recurring = [plan for plan in plans if plan["frequency"] != Frequency.ONCE]
    current = next((plan for plan in recurring if plan["status"] in RUNNING), None) or next(
        (plan for plan in recurring if plan["status"] in TROUBLED), None
    )
    payments = Payment.objects.filter(supporter_id=supporter_id)
    totals = {
        row["currency"]: row["total"]
        for row in payments.values("currency")
        .annotate(total=Sum("amount") - Sum("amount_refunded"))
        .order_by("currency")
    }
    first_gift_at = payments.aggregate(first=Min("paid_at"))["first"]
    if current is not None and current["status"] in RUNNING:
        state = SupporterState.ACTIVE
    elif current is not None:
        state = SupporterState.PAST_DUE
    elif any(plan["status"] in ENDED for plan in recurring):
        state = SupporterState.ENDED
    elif totals:
        state = SupporterState.ONE_TIME
    else:
        state = SupporterState.NONE
    Supporter.objects.filter(pk=supporter_id).update(
        state=state,
        plan_amount=current["amount"] if current else 0,
        plan_monthly_amount=(
            monthly_equivalent(amount=current["amount"], frequency=current["frequency"])
            if current
            else 0
        ),
        plan_currency=current["currency"] if current else "",
        plan_frequency=current["frequency"] if current else "",
        lifetime_totals=totals,
        first_gift_at=first_gift_at,
        has_failed_payment=any(plan["status"] in FAILED for plan in plans),
    )


# What the summary and the double-gift checks read of each row, by field name.
SUMMARY_READS: dict[type, set[str]] = {
    model: {name.removesuffix("_id") for name in model.SUMMARY_FIELDS} | set(model.SUMMARY_FIELDS)
    for model in (Contribution, Payment)
}


def summary_on_save(sender: type, instance: Contribution | Payment, **kwargs: Any) -> None:
    """post_save of Contribution and Payment: whoever saved it, the summary follows, and
    a gift that looks like one given twice is put in the review queue."""
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and not set(update_fields) & SUMMARY_READS[type(instance)]:
        return  # e.g. the receipt number: nothing the summary reads
    changed = kwargs.get("created", False) or instance.summary_changed()
    instance.summary_values_remember()
    if not changed or instance.supporter_id is None:
        return
    supporter_summary_refresh(supporter_id=instance.supporter_id)
    if isinstance(instance, Payment):
        duplicate_payment_flag(payment=instance)
    else:
        duplicate_plan_flag(contribution=instance)


DUPLICATE_WINDOW = timedelta(hours=24)


def duplicate_payment_flag(*, payment: Payment) -> PossibleDuplicate | None:
    """Flag a payment of the same amount and currency by the same supporter (one per
    email address) within 24 hours of an earlier one."""
    supporter_id = payment.supporter_id
    if supporter_id is None:
        return None
    if PossibleDuplicate.objects.filter(duplicate_payment=payment).exists():
        return None
    earlier = (
        Payment.objects.filter(
            supporter_id=supporter_id,
            amount=payment.amount,
            currency=payment.currency,
            paid_at__gte=payment.paid_at - DUPLICATE_WINDOW,
            paid_at__lte=payment.paid_at,
        )
        .exclude(pk=payment.pk)
        .exclude(duplicate_flag__isnull=False)
        .order_by("paid_at")
        .first()
    )
    if earlier is None:
        return None
    duplicate, _ = PossibleDuplicate.objects.get_or_create(
        duplicate_payment=payment,
        defaults={
            "supporter_id": supporter_id,
            "first_payment": earlier,
            "kind": DuplicateKind.SAME_GIFT,
        },
    )
    return duplicate


def duplicate_plan_flag(*, contribution: Contribution) -> PossibleDuplicate | None:
    """Flag a second monthly or yearly plan running beside an older one."""
    supporter_id = contribution.supporter_id
    if supporter_id is None:
        return None
    if contribution.frequency == Frequency.ONCE or contribution.status not in RUNNING:
        return None
    if PossibleDuplicate.objects.filter(duplicate_contribution=contribution).exists():
        return None
    older = (
        Contribution.objects.filter(
            supporter_id=supporter_id,
            status__in=RUNNING,
            created_at__lt=contribution.created_at,
        )
        .exclude(frequency=Frequency.ONCE)
        .order_by("created_at")
        .first()
    )
    if older is None:
        return None
    duplicate, _ = PossibleDuplicate.objects.get_or_create(
        duplicate_contribution=contribution,
        defaults={
            "supporter_id": supporter_id,
            "first_contribution": older,
            "kind": DuplicateKind.TWO_PLANS,
        },
    )
    return duplicate


@dataclass(frozen=True)
class ChangeAuthor:
    changed_by: str
    staff_id: int | None = None
    # Why, when the author ends the plan: a CancelReason and the words given.
    reason: str = ""
    reason_detail: str = ""


# Unset means Stripe: a webhook, or a change made in Stripe's dashboard.
_author: ContextVar[ChangeAuthor | None] = ContextVar("contribution_change_author", default=None)
STRIPE_AUTHOR = ChangeAuthor(ChangedBy.STRIPE)


@contextmanager
def changes_made_by(
    changed_by: str,
    *,
    staff_id: int | None = None,
    reason: str = "",
    reason_detail: str = "",
    contribution: Contribution | None = None,
) -> Iterator[None]:
    """Changes mirrored from Stripe inside this block were asked for by this author, for
    this reason (a cancellation's); outside any block (a webhook, Stripe's dashboard)
    Stripe is the author.

    Given the `contribution` the block changes, its webhook may even win the race: a
    change Stripe's event mirrored while this block was asking Stripe for it is this
    author's, and its history row says so."""
    author = ChangeAuthor(changed_by, staff_id, reason, reason_detail)
    token = _author.set(author)
    since = timezone.now()
    asked_from = contribution_snapshot(contribution) if contribution is not None else None
    try:
        yield
    finally:
        _author.reset(token)
    if contribution is not None and asked_from is not None:
        _changes_claim(contribution.pk, asked_from=asked_from, since=since, author=author)


def _changes_claim(
    contribution_id: int, *, asked_from: dict[str, str], since: datetime, author: ChangeAuthor
) -> None:
    current = Contribution.objects.filter(pk=contribution_id).first()
    if current is None:
        return
    now = contribution_snapshot(current)
    changed = [name for name in TRACKED_FIELDS if asked_from[name] != now[name]]
    if not changed:
        return
    ContributionChange.objects.filter(
        contribution_id=contribution_id,
        changed_by=ChangedBy.STRIPE,
        field__in=changed,
        created_at__gte=since,
    ).update(
        changed_by=author.changed_by,
        staff_id=author.staff_id,
        reason=author.reason,
        reason_detail=author.reason_detail,
    )


TRACKED_FIELDS = ("amount", "frequency", "status", "cancel_at_period_end", "collection_pause")


def contribution_snapshot(contribution: Contribution) -> dict[str, str]:
    return {name: str(getattr(contribution, name)) for name in TRACKED_FIELDS}


def contribution_changes_record(*, contribution: Contribution, before: dict[str, str]) -> None:
    """One history row per tracked field that differs from `before` (a snapshot taken
    before the change); a plan seen for the first time has no history to write."""
    if contribution.supporter_id is None or not before:
        return
    after = contribution_snapshot(contribution)
    author = _author.get() or STRIPE_AUTHOR
    ContributionChange.objects.bulk_create(
        ContributionChange(
            contribution=contribution,
            supporter_id=contribution.supporter_id,
            field=name,
            before=before[name],
            after=after[name],
            changed_by=author.changed_by,
            staff_id=author.staff_id,
            reason=author.reason,
            reason_detail=author.reason_detail,
        )
        for name in TRACKED_FIELDS
        if before[name] != after[name]
    )
