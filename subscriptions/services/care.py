"""What supporter care does for a supporter: every action goes to Stripe first, with the
staff member and the reason in the Stripe object's metadata; our records then follow
Stripe's answer (and its webhooks), and one audit entry says who did what and why.

Each action is done once per form: the form's hidden token is stored first (a double
click finds it taken) and is also the Stripe idempotency key.
"""

import uuid
from calendar import monthrange
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from subscriptions import stripe_gateway as gateway
from subscriptions.models import (
    AuditAction,
    ChangedBy,
    Contribution,
    DuplicateStatus,
    EmailKind,
    Payment,
    PossibleDuplicate,
    RefundRequest,
    RefundRequestStatus,
    StaffActionToken,
    Supporter,
)
from subscriptions.models.supporters import CancelReason
from subscriptions.money import money_format
from subscriptions.roles import care_refund_limit
from subscriptions.stripe_events.money import refunds_changed
from subscriptions.stripe_events.subscriptions import contribution_mirror

from .audit import audit_record
from .care_records import changes_made_by
from .outbox import email_queue


class CareActionRefused(Exception):
    """The action was not done; the message is a sentence for the staff member."""


class AlreadyDone(CareActionRefused):
    """This form was submitted before (a double click): it acted then, not now."""


@dataclass(frozen=True)
class StaffAct:
    """Who acts, why, and the form's one-time token."""

    user: Any  # a staff User; typed loosely so tests and services share it
    reason: str
    token: uuid.UUID
    request: HttpRequest | None = None

    @property
    def metadata(self) -> dict[str, str]:
        return {"staff_member": self.user.get_username()[:100], "staff_reason": self.reason[:450]}


@contextmanager
def _once(act: StaffAct, action: str) -> Iterator[None]:
    """Take the form's token, then act; if the action fails, free the token again so the
    staff member can retry with the same form."""
    try:
        with transaction.atomic():
            row = StaffActionToken.objects.create(token=act.token, action=action)
    except IntegrityError:
        raise AlreadyDone("This was already done: the form was sent twice.") from None
    try:
        yield
    except BaseException:
        StaffActionToken.objects.filter(pk=row.pk).delete()
        raise


def _stripe_failed(error: gateway.GatewayError) -> CareActionRefused:
    if isinstance(error, gateway.GatewayUnavailable):
        return CareActionRefused("Stripe did not answer, so nothing was done. Try again soon.")
    return CareActionRefused(f"Stripe refused, so nothing was done: {error}")


def _audit(act: StaffAct, action: str, target: Any, **fields: Any) -> None:
    audit_record(
        actor=act.user,
        action=action,
        target=target,
        reason=act.reason,
        request=act.request,
        **fields,
    )


def care_receipt_resend(*, payment: Payment, act: StaffAct) -> None:
    """Send the payment's receipt again, as a new copy of the same receipt number."""
    if payment.supporter is None or not payment.receipt_number:
        raise CareActionRefused("This payment has no receipt yet, so there is none to resend.")
    with _once(act, "resend_receipt"), transaction.atomic():
        email_queue(
            kind=EmailKind.RECEIPT,
            supporter=payment.supporter,
            payment=payment,
            resend=str(act.token),
        )
        _audit(
            act,
            AuditAction.RECEIPT_RESENT,
            payment,
            after={"receipt_number": payment.receipt_number},
        )


def care_manage_link_send(*, supporter: Supporter, act: StaffAct) -> None:
    """Email the supporter a fresh manage link (staff never see the link itself)."""
    with _once(act, "send_manage_link"), transaction.atomic():
        email_queue(kind=EmailKind.MANAGE_LINK, supporter=supporter)
        _audit(act, AuditAction.MANAGE_LINK_SENT, supporter)


def _running_plan(contribution: Contribution) -> str:
    """The Stripe subscription of a plan that is still running."""
    subscription_id = contribution.stripe_subscription_id
    if not contribution.is_recurring or not subscription_id:
        raise CareActionRefused("Only a monthly or yearly plan can be changed or cancelled.")
    if not contribution.is_changeable:
        raise CareActionRefused("This plan has ended, so it cannot be changed.")
    return subscription_id


def _plan_state(contribution: Contribution) -> dict[str, Any]:
    return {
        "amount": contribution.amount,
        "currency": contribution.currency,
        "frequency": contribution.frequency,
        "status": contribution.status,
        "cancel_at_period_end": contribution.cancel_at_period_end,
    }


def care_contribution_cancel(
    *, contribution: Contribution, at_period_end: bool, act: StaffAct
) -> Contribution:
    """Cancel a plan now, or at the end of the period already paid for."""
    subscription_id = _running_plan(contribution)
    before = _plan_state(contribution)
    reason_detail = act.reason[:2000]
    with (
        _once(act, "cancel_contribution"),
        changes_made_by(
            ChangedBy.STAFF,
            staff_id=act.user.pk,
            reason=CancelReason.STAFF,
            reason_detail=reason_detail,
            contribution=contribution,
        ),
    ):
        try:
            if contribution.stripe_schedule_id:
                # A pending switch of frequency is dropped: the plan ends as it is now.
                subscription = gateway.subscription_retrieve(subscription_id)
                if subscription.schedule_id:
                    gateway.subscription_schedule_release(subscription.schedule_id)
            if at_period_end:
                gateway.subscription_set_cancel_at_period_end(
                    subscription_id=subscription_id,
                    cancel=True,
                    metadata=act.metadata,
                )
            else:
                gateway.subscription_cancel_now(
                    subscription_id=subscription_id,
                    metadata=act.metadata,
                    comment=f"Cancelled by staff: {act.reason}",
                )
        except gateway.GatewayError as error:
            raise _stripe_failed(error) from error
        Contribution.objects.filter(pk=contribution.pk).update(
            cancel_reason=CancelReason.STAFF, cancel_reason_detail=reason_detail
        )
        contribution = contribution_mirror(subscription_id=subscription_id)
        _audit(
            act,
            AuditAction.PLAN_CANCELLED,
            contribution,
            before=before,
            after={**_plan_state(contribution), "at_period_end": at_period_end},
        )
    return contribution


def care_contribution_amount_change(
    *, contribution: Contribution, amount: int, act: StaffAct
) -> Contribution:
    """A new amount from the next payment on; nothing is charged now."""
    subscription_id = _running_plan(contribution)
    if amount == contribution.amount:
        raise CareActionRefused("That is already the plan's amount: nothing to change.")
    if contribution.stripe_schedule_id:
        raise CareActionRefused(
            "The supporter asked to switch how often this plan gives from the end of its "
            "period; change the amount once the switch has happened."
        )
    before = _plan_state(contribution)
    with (
        _once(act, "change_amount"),
        changes_made_by(ChangedBy.STAFF, staff_id=act.user.pk, contribution=contribution),
    ):
        try:
            subscription = gateway.subscription_retrieve(subscription_id)
            gateway.subscription_change_amount(
                subscription=subscription,
                amount=amount,
                idempotency_key=f"care-{act.token}",
                metadata=act.metadata,
            )
        except gateway.GatewayError as error:
            raise _stripe_failed(error) from error
        Contribution.objects.filter(pk=contribution.pk).update(covers_fees=False, covered_fee=0)
        contribution = contribution_mirror(subscription_id=subscription_id)
        _audit(
            act,
            AuditAction.AMOUNT_CHANGED,
            contribution,
            before=before,
            after=_plan_state(contribution),
        )
    return contribution


PAUSE_MONTHS_MAX = 12


def months_later(moment: datetime, months: int) -> datetime:
    """The same day and time `months` later (the month's last day when it is shorter)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, monthrange(year, month)[1]))


def _pause_state(contribution: Contribution) -> dict[str, Any]:
    resumes_at = contribution.collection_resumes_at
    return {
        "collection_paused": contribution.collection_paused,
        "collection_resumes_at": resumes_at.isoformat() if resumes_at else None,
    }


def care_contribution_pause(
    *, contribution: Contribution, months: int, act: StaffAct
) -> Contribution:
    """Take no payment for `months` months; the plan then gives again by itself. Each
    renewal in between is voided at Stripe, so the supporter owes nothing for it."""
    # The form's token is taken first, so a double click says it was done, not "paused".
    with (
        _once(act, "pause_contribution"),
        changes_made_by(ChangedBy.STAFF, staff_id=act.user.pk, contribution=contribution),
    ):
        subscription_id = _running_plan(contribution)
        if not 1 <= months <= PAUSE_MONTHS_MAX:
            raise CareActionRefused(f"Pause for 1 to {PAUSE_MONTHS_MAX} months.")
        if contribution.collection_paused:
            raise CareActionRefused(
                "Payments on this plan are already paused; resume them first to pause anew."
            )
        if contribution.cancel_at_period_end:
            raise CareActionRefused(
                "This plan ends at the end of its period: there is nothing to pause."
            )
        resumes_at = months_later(timezone.now(), months)
        return _collection_change(
            act,
            contribution,
            AuditAction.COLLECTION_PAUSED,
            lambda: gateway.subscription_pause_collection(
                subscription_id=subscription_id,
                resumes_at=resumes_at,
                metadata=act.metadata,
                idempotency_key=f"care-{act.token}",
            ),
            subscription_id=subscription_id,
            noted={"months": months},
        )


def care_contribution_resume(*, contribution: Contribution, act: StaffAct) -> Contribution:
    """Take payments again from the next renewal on (nothing is charged now)."""
    with (
        _once(act, "resume_contribution"),
        changes_made_by(ChangedBy.STAFF, staff_id=act.user.pk, contribution=contribution),
    ):
        subscription_id = _running_plan(contribution)
        if not contribution.collection_paused:
            raise CareActionRefused("Payments on this plan are not paused: nothing to resume.")
        return _collection_change(
            act,
            contribution,
            AuditAction.COLLECTION_RESUMED,
            lambda: gateway.subscription_resume_collection(
                subscription_id=subscription_id,
                metadata=act.metadata,
                idempotency_key=f"care-{act.token}",
            ),
            subscription_id=subscription_id,
        )


def _collection_change(
    act: StaffAct,
    contribution: Contribution,
    action: str,
    at_stripe: Callable[[], object],
    *,
    subscription_id: str,
    noted: dict[str, Any] | None = None,
) -> Contribution:
    """Pause or resume at Stripe, mirror Stripe's answer, and audit the state before and
    after (with what the staff member chose, `noted`)."""
    before = _pause_state(contribution)
    try:
        at_stripe()
    except gateway.GatewayError as error:
        raise _stripe_failed(error) from error
    contribution = contribution_mirror(subscription_id=subscription_id)
    _audit(
        act,
        action,
        contribution,
        before=before,
        after={**_pause_state(contribution), **(noted or {})},
    )
    return contribution


def refundable(payment: Payment) -> int:
    return payment.amount - payment.amount_refunded


def _refund_at_stripe(*, payment: Payment, amount: int, act: StaffAct, key: str) -> str:
    """Refund at Stripe, then mirror the charge as its webhook would (refund email too)."""
    try:
        refund = gateway.refund_create(
            charge_id=payment.stripe_charge_id,
            amount=amount,
            metadata=act.metadata,
            idempotency_key=key,
        )
        charge = gateway.charge_retrieve(payment.stripe_charge_id)
    except gateway.GatewayError as error:
        raise _stripe_failed(error) from error
    with transaction.atomic():
        refunds_changed(charge)
    return refund.id


def care_payment_refund(*, payment: Payment, amount: int, act: StaffAct) -> RefundRequest | None:
    """Refund part or all of a payment. Above the care limit (for someone without the
    power to refund any amount) it becomes a request that Finance approves."""
    if amount <= 0:
        raise CareActionRefused("Enter an amount above zero to refund.")
    left = refundable(payment)
    if amount > left:
        raise CareActionRefused(
            f"At most {money_format(left, currency=payment.currency, trim_zero_cents=False)} "
            "of this payment can still be refunded."
        )
    limit = care_refund_limit(currency=payment.currency)
    with _once(act, "refund_payment"):
        if amount > limit and not act.user.has_perm("subscriptions.refund_payment_any_amount"):
            with transaction.atomic():
                request = RefundRequest.objects.create(
                    payment=payment,
                    supporter=payment.supporter,
                    amount=amount,
                    currency=payment.currency,
                    reason=act.reason,
                    requested_by=act.user,
                )
                _audit(
                    act,
                    AuditAction.REFUND_REQUESTED,
                    payment,
                    after={
                        "amount": amount,
                        "currency": payment.currency,
                        "refund_request": request.pk,
                    },
                )
            return request
        refund_id = _refund_at_stripe(
            payment=payment, amount=amount, act=act, key=f"care-{act.token}"
        )
        _audit(
            act,
            AuditAction.REFUNDED,
            payment,
            before={"amount_refunded": payment.amount_refunded},
            after={
                "amount_refunded": payment.amount_refunded + amount,
                "refund": refund_id,
                "currency": payment.currency,
            },
        )
    return None


def care_refund_request_decide(
    *, refund_request: RefundRequest, approve: bool, act: StaffAct
) -> RefundRequest:
    """A second person (never the one who asked) approves, and it is refunded, or refuses."""
    if refund_request.status != RefundRequestStatus.PENDING:
        raise CareActionRefused("This refund was already decided.")
    if refund_request.requested_by_id == act.user.pk:
        raise CareActionRefused("Someone other than the person who asked must decide this.")
    payment = refund_request.payment
    with _once(act, "approve_refund"):
        if approve:
            if refund_request.amount > refundable(payment):
                raise CareActionRefused("The payment no longer has that much left to refund.")
            refund_request.stripe_refund_id = _refund_at_stripe(
                payment=payment,
                amount=refund_request.amount,
                act=act,
                key=f"refund-request-{refund_request.pk}",
            )
        refund_request.status = (
            RefundRequestStatus.REFUNDED if approve else RefundRequestStatus.REFUSED
        )
        refund_request.decided_by = act.user
        refund_request.decided_at = timezone.now()
        with transaction.atomic():
            refund_request.save()
            _audit(
                act,
                AuditAction.REFUND_APPROVED if approve else AuditAction.REFUND_REFUSED,
                payment,
                after={
                    "amount": refund_request.amount,
                    "currency": refund_request.currency,
                    "refund_request": refund_request.pk,
                    "requested_by": refund_request.requested_by_id,
                },
            )
    return refund_request


def care_duplicate_resolve(
    *, duplicate: PossibleDuplicate, refund: bool, act: StaffAct
) -> PossibleDuplicate:
    """Mark a possible double gift as intended, or refund the second payment in full (or
    cancel the second plan now) in one step."""
    if duplicate.status != DuplicateStatus.OPEN:
        raise CareActionRefused("This possible double gift was already resolved.")
    if refund:
        if duplicate.duplicate_payment is not None:
            payment = duplicate.duplicate_payment
            if refundable(payment) <= 0:
                raise CareActionRefused("The second payment was already refunded.")
            if care_payment_refund(payment=payment, amount=refundable(payment), act=act):
                raise CareActionRefused(
                    "The refund is above your limit: it now waits for Finance to approve it, "
                    "and this double gift stays in the queue until then."
                )
        elif duplicate.duplicate_contribution is not None:
            care_contribution_cancel(
                contribution=duplicate.duplicate_contribution, at_period_end=False, act=act
            )
        else:
            raise CareActionRefused("There is no second gift to refund.")
    duplicate.status = DuplicateStatus.REFUNDED if refund else DuplicateStatus.INTENDED
    duplicate.resolved_by = act.user
    duplicate.resolved_at = timezone.now()
    if not refund:
        with _once(act, "resolve_duplicate"):
            duplicate.save(update_fields=["status", "resolved_by", "resolved_at"])
    else:
        duplicate.save(update_fields=["status", "resolved_by", "resolved_at"])
    _audit(
        act,
        AuditAction.DUPLICATE_RESOLVED,
        duplicate.supporter,
        after={"duplicate": duplicate.pk, "resolution": duplicate.status},
    )
    return duplicate
