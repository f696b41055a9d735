"""A supporter changes their own plan from the manage page. Every change goes to Stripe
first; our record then mirrors what Stripe answered (and the webhooks that follow)."""

from django.utils.translation import gettext

from subscriptions import stripe_gateway as gateway
from subscriptions.models import ChangedBy, Contribution
from subscriptions.models.supporters import CancelReason
from subscriptions.pledges import Frequency
from subscriptions.stripe_events.subscriptions import STRIPE_FEEDBACK, contribution_mirror

from .care_records import changes_made_by

SUPPORTER_CANCEL_REASONS = [
    CancelReason.TOO_EXPENSIVE,
    CancelReason.SUPPORT_ELSEWHERE,
    CancelReason.UNHAPPY,
    CancelReason.TEMPORARY,
    CancelReason.OTHER,
]


class ContributionChangeRefused(Exception):
    """The change cannot be made; the message is a sentence for the supporter."""


def _changeable(contribution: Contribution) -> str:
    """The Stripe subscription of a gift that can still be changed."""
    subscription_id = contribution.stripe_subscription_id
    if not contribution.is_recurring or not subscription_id:
        raise ContributionChangeRefused(gettext("Only a monthly or yearly gift can be changed."))
    if not contribution.is_changeable:
        raise ContributionChangeRefused(
            gettext("This gift has ended, so it cannot be changed. You can give again.")
        )
    return subscription_id


def _mirror(subscription_id: str, *, reason: str = "", detail: str = "") -> Contribution:
    # Whatever changed now, the supporter changed it, for this reason if they gave one
    # (the plan's history and the timeline say so).
    with changes_made_by(ChangedBy.SUPPORTER, reason=reason, reason_detail=detail):
        return contribution_mirror(subscription_id=subscription_id)


def contribution_change(*, contribution: Contribution, amount: int, frequency: str) -> Contribution:
    """A new amount and/or frequency, asked for by the supporter (see `_change`)."""
    with changes_made_by(ChangedBy.SUPPORTER, contribution=contribution):
        return _change(contribution=contribution, amount=amount, frequency=frequency)


def _change(*, contribution: Contribution, amount: int, frequency: str) -> Contribution:
    """A new amount and/or frequency; nothing is charged now.

    The same frequency: the new amount applies from the next payment. Another frequency:
    the switch waits for the end of the period already paid for (a subscription schedule),
    so a supporter never pays twice for the same weeks. Asking again replaces a pending switch.
    """
    subscription_id = _changeable(contribution)
    if frequency not in (Frequency.MONTH, Frequency.YEAR):
        raise ContributionChangeRefused(gettext("Please choose monthly or yearly."))
    subscription = gateway.subscription_retrieve(subscription_id)
    if frequency == subscription.interval:
        if subscription.schedule_id:
            gateway.subscription_schedule_release(subscription.schedule_id)
        if amount != subscription.amount:
            gateway.subscription_change_amount(
                subscription=subscription,
                amount=amount,
                # The current price is part of the key: the same change retried is one
                # change, and a later change back to this amount is a new one.
                idempotency_key=f"price-{subscription.id}-{subscription.price_id}-{amount}",
            )
    else:
        if subscription.cancel_at_period_end:
            raise ContributionChangeRefused(
                gettext(
                    "This gift is set to end. Please keep it first, then switch how often you give."
                )
            )
        gateway.subscription_switch_at_period_end(
            subscription=subscription,
            amount=amount,
            interval=frequency,
            # Our row's last write is part of the key: a double click is one schedule, and a
            # switch asked for again after one was dropped makes a new schedule.
            idempotency_key=f"schedule-{subscription.id}-{contribution.updated_at.timestamp()}",
        )
    Contribution.objects.filter(pk=contribution.pk).update(covers_fees=False, covered_fee=0)
    return _mirror(subscription_id)


def contribution_cancel(*, contribution: Contribution, reason: str, detail: str) -> Contribution:
    """The supporter ends their plan at the period end, for this reason (see `_cancel`)."""
    with changes_made_by(
        ChangedBy.SUPPORTER,
        reason=reason,
        reason_detail=detail.strip()[:2000],
        contribution=contribution,
    ):
        return _cancel(contribution=contribution, reason=reason, detail=detail)


def _cancel(*, contribution: Contribution, reason: str, detail: str) -> Contribution:
    """Cancel at the end of the period already paid for; it can be undone until then."""
    subscription_id = _changeable(contribution)
    if reason not in SUPPORTER_CANCEL_REASONS:
        raise ContributionChangeRefused(gettext("Please choose a reason from the list."))
    if contribution.stripe_schedule_id:
        # A pending switch of frequency is dropped: the gift ends as it is now.
        subscription = gateway.subscription_retrieve(subscription_id)
        if subscription.schedule_id:
            gateway.subscription_schedule_release(subscription.schedule_id)
    gateway.subscription_set_cancel_at_period_end(
        subscription_id=subscription_id, cancel=True, feedback=STRIPE_FEEDBACK[reason]
    )
    detail = detail.strip()[:2000]
    Contribution.objects.filter(pk=contribution.pk).update(
        cancel_reason=reason, cancel_reason_detail=detail
    )
    return _mirror(subscription_id, reason=reason, detail=detail)


def contribution_resume(*, contribution: Contribution) -> Contribution:
    """The supporter undoes their cancellation (see `_resume`)."""
    with changes_made_by(ChangedBy.SUPPORTER, contribution=contribution):
        return _resume(contribution=contribution)


def _resume(*, contribution: Contribution) -> Contribution:
    """Undo a cancellation before the period ends."""
    subscription_id = _changeable(contribution)
    if not contribution.cancel_at_period_end:
        raise ContributionChangeRefused(
            gettext("This gift is not set to end, so there is nothing to undo.")
        )
    gateway.subscription_set_cancel_at_period_end(subscription_id=subscription_id, cancel=False)
    # The plan runs on, so it has no reason to end; its history keeps the one it had.
    Contribution.objects.filter(pk=contribution.pk).update(
        cancel_reason="", cancel_reason_detail=""
    )
    return _mirror(subscription_id)


def contribution_card_update_url(*, contribution: Contribution, return_url: str) -> str:
    """Stripe's billing portal, where the supporter replaces their card."""
    if not contribution.stripe_customer_id:
        raise ContributionChangeRefused(gettext("We have no card on file for this gift."))
    return gateway.billing_portal_session_create(
        customer_id=contribution.stripe_customer_id, return_url=return_url
    )
