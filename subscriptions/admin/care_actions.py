"""Supporter care's actions, each a confirmation page with a required reason and a hidden
one-time token: resend a receipt, send a manage link, cancel a plan, change its amount,
pause its payments for some months or resume them, refund a payment. Each checks its
permission on GET and on POST."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse

from subscriptions.models import Contribution, Payment, Supporter
from subscriptions.money import currency_decimals, money_format, to_minor_units
from subscriptions.pledges import amount_to_minor_units
from subscriptions.services.care import (
    PAUSE_MONTHS_MAX,
    CareActionRefused,
    StaffAct,
    care_contribution_amount_change,
    care_contribution_cancel,
    care_contribution_pause,
    care_contribution_resume,
    care_manage_link_send,
    care_payment_refund,
    care_receipt_resend,
    refundable,
)

REASONS = [
    ("", "Choose a reason"),
    ("Supporter asked", "The supporter asked for it"),
    ("Charged twice", "Charged twice"),
    ("Given by mistake", "Given by mistake (someone else's card, wrong amount)"),
    ("Payment problem", "A payment problem"),
    ("Email not received", "An email did not arrive"),
    ("Other", "Another reason (say which below)"),
]


class ReasonForm(forms.Form):
    """Every action's reason (a short list plus free text) and its one-time token."""

    token = forms.UUIDField(widget=forms.HiddenInput)
    reason = forms.ChoiceField(choices=REASONS, label="Reason")
    detail = forms.CharField(
        label="Details",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the supporter said, a ticket number. Never card details.",
    )

    def __init__(self, *args: Any, target: Model | None = None, **kwargs: Any) -> None:
        self.target = target
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("reason") == "Other" and not cleaned.get("detail", "").strip():
            raise ValidationError("Say in the details what the reason is.")
        return cleaned

    @property
    def reason_text(self) -> str:
        detail = self.cleaned_data.get("detail", "").strip()
        return f"{self.cleaned_data['reason']}: {detail}" if detail else self.cleaned_data["reason"]


class CancelForm(ReasonForm):
    when = forms.ChoiceField(
        choices=[
            ("period_end", "At the end of the period already paid for"),
            ("now", "Now (no more payments; the current period is not refunded)"),
        ],
        widget=forms.RadioSelect,
        initial="period_end",
        label="When",
    )


class PauseForm(ReasonForm):
    months = forms.TypedChoiceField(
        choices=[(n, f"{n} month{'s' if n > 1 else ''}") for n in range(1, PAUSE_MONTHS_MAX + 1)],
        coerce=int,
        initial=1,
        label="Pause payments for",
        help_text="The plan carries on; no payment is taken until then, and it gives again "
        "by itself afterwards. Payments due meanwhile are skipped, not charged later.",
    )


def _major_units(text: str, *, currency: str) -> int:
    try:
        amount = Decimal(text.replace(",", ".").strip())
    except InvalidOperation:
        raise ValidationError("Enter the amount as a number, like 5 or 7.50.") from None
    if amount != amount.quantize(Decimal(1).scaleb(-currency_decimals(currency))):
        raise ValidationError("Use no more decimals than the currency has, like 7.50.")
    return to_minor_units(amount, currency=currency)


class AmountForm(ReasonForm):
    amount = forms.CharField(label="New amount per period", max_length=12)

    def clean_amount(self) -> int:
        contribution = self.target
        if not isinstance(contribution, Contribution):
            raise ValidationError("This form changes a plan.")
        return amount_to_minor_units(self.cleaned_data["amount"], currency=contribution.currency)


class RefundForm(ReasonForm):
    amount = forms.CharField(label="Amount to refund", max_length=12)

    def clean_amount(self) -> int:
        payment = self.target
        if not isinstance(payment, Payment):
            raise ValidationError("This form refunds a payment.")
        amount = _major_units(self.cleaned_data["amount"], currency=payment.currency)
        if amount <= 0:
            raise ValidationError("Enter an amount above zero.")
        if amount > refundable(payment):
            left = money_format(refundable(payment), currency=payment.currency,
                                trim_zero_cents=False)  # fmt: skip
            raise ValidationError(f"At most {left} of this payment can still be refunded.")
        return amount


@dataclass(frozen=True)
class CareAction:
    permission: str
    title: str
    target: str  # "payment", "contribution" or "" (the supporter)
    form: type[ReasonForm]
    run: Callable[[Any, ReasonForm, StaffAct], str]


def _resend(payment: Payment, form: ReasonForm, act: StaffAct) -> str:
    care_receipt_resend(payment=payment, act=act)
    return f"Receipt {payment.receipt_number} is on its way again."


def _manage_link(supporter: Supporter, form: ReasonForm, act: StaffAct) -> str:
    care_manage_link_send(supporter=supporter, act=act)
    return "A manage link is on its way to the supporter."


def _cancel(contribution: Contribution, form: ReasonForm, act: StaffAct) -> str:
    at_period_end = form.cleaned_data["when"] == "period_end"
    care_contribution_cancel(contribution=contribution, at_period_end=at_period_end, act=act)
    return "The plan ends at the end of its period." if at_period_end else "The plan has ended."


def _change_amount(contribution: Contribution, form: ReasonForm, act: StaffAct) -> str:
    updated = care_contribution_amount_change(
        contribution=contribution, amount=form.cleaned_data["amount"], act=act
    )
    new = money_format(updated.amount, currency=updated.currency, trim_zero_cents=False)
    return f"The plan is now {new} per period, from the next payment on."


def _pause(contribution: Contribution, form: ReasonForm, act: StaffAct) -> str:
    updated = care_contribution_pause(
        contribution=contribution, months=form.cleaned_data["months"], act=act
    )
    until = f"{updated.collection_resumes_at:%Y-%m-%d}" if updated.collection_resumes_at else "-"
    return f"Payments on this plan are paused until {until}; it gives again by itself then."


def _resume(contribution: Contribution, form: ReasonForm, act: StaffAct) -> str:
    care_contribution_resume(contribution=contribution, act=act)
    return "Payments on this plan start again from its next renewal (nothing is charged now)."


def _refund(payment: Payment, form: ReasonForm, act: StaffAct) -> str:
    amount = form.cleaned_data["amount"]
    shown = money_format(amount, currency=payment.currency, trim_zero_cents=False)
    if care_payment_refund(payment=payment, amount=amount, act=act) is not None:
        return (
            f"{shown} is above your refund limit: the refund now waits for someone in "
            "Finance to approve it."
        )
    return f"Refunded {shown}. The supporter gets an email."


ACTIONS: dict[str, CareAction] = {
    "resend_receipt": CareAction(
        "subscriptions.resend_receipt", "Resend a receipt", "payment", ReasonForm, _resend
    ),
    "send_manage_link": CareAction(
        "subscriptions.send_manage_link", "Send a manage link", "", ReasonForm, _manage_link
    ),
    "cancel": CareAction(
        "subscriptions.cancel_contribution", "Cancel a plan", "contribution", CancelForm, _cancel
    ),
    "change_amount": CareAction(
        "subscriptions.change_amount",
        "Change a plan's amount",
        "contribution",
        AmountForm,
        _change_amount,
    ),
    "pause": CareAction(
        "subscriptions.pause_contribution",
        "Pause a plan's payments",
        "contribution",
        PauseForm,
        _pause,
    ),
    "resume": CareAction(
        "subscriptions.pause_contribution",
        "Resume a plan's payments now",
        "contribution",
        ReasonForm,
        _resume,
    ),
    "refund": CareAction(
        "subscriptions.refund_payment", "Refund a payment", "payment", RefundForm, _refund
    ),
}


def _target(request: HttpRequest, supporter: Supporter, kind: str) -> Model:
    source = request.POST if request.method == "POST" else request.GET
    raw = source.get(kind, "")
    if not kind:
        return supporter
    if not raw.isdigit():
        raise Http404("No such gift or payment for this supporter.")
    model = Payment if kind == "payment" else Contribution
    found = model.objects.filter(pk=int(raw), supporter=supporter).first()
    if found is None:
        raise Http404("No such gift or payment for this supporter.")
    return found


def _describe(target: Model) -> str:
    if isinstance(target, Payment):
        gross = money_format(target.amount, currency=target.currency, trim_zero_cents=False)
        refunded = money_format(
            target.amount_refunded, currency=target.currency, trim_zero_cents=False
        )
        return (
            f"Payment of {gross} on {target.paid_at:%Y-%m-%d} ({target.stripe_charge_id}), "
            f"receipt {target.receipt_number or '-'}, refunded so far {refunded}"
        )
    if isinstance(target, Contribution):
        amount = money_format(target.amount, currency=target.currency, trim_zero_cents=False)
        paused = f", payments {target.collection_pause}" if target.collection_paused else ""
        return (
            f"Plan of {amount} {target.get_frequency_display().lower()} "
            f"({target.get_status_display().lower()}{paused}, {target.stripe_subscription_id})"
        )
    return f"Supporter {target.pk}"


def supporter_action_view(
    request: HttpRequest, supporter_id: int, action: str, admin_site: admin.AdminSite
) -> HttpResponse:
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404("No such action.")
    if not request.user.has_perm(spec.permission):
        raise PermissionDenied
    supporter = Supporter.objects.filter(pk=supporter_id).first()
    if supporter is None:
        raise Http404("No such supporter.")
    target = _target(request, supporter, spec.target)
    back = reverse("admin:subscriptions_supporter_change", args=[supporter.pk])
    if request.method == "POST":
        form = spec.form(request.POST, target=target)
        if form.is_valid():
            act = StaffAct(
                user=request.user,
                reason=form.reason_text,
                token=form.cleaned_data["token"],
                request=request,
            )
            try:
                done = spec.run(target, form, act)
            except CareActionRefused as refused:
                messages.error(request, str(refused))
                return HttpResponseRedirect(back)
            messages.success(request, done)
            return HttpResponseRedirect(back)
    else:
        form = spec.form(initial={"token": uuid.uuid4()}, target=target)
    context = {
        **admin_site.each_context(request),
        "title": spec.title,
        "form": form,
        "supporter": supporter,
        "target_kind": spec.target,
        "target": target,
        "target_description": _describe(target),
        "back_url": back,
        "opts": Supporter._meta,
    }
    return render(request, "admin/subscriptions/supporter/care_action.html", context)


def supporter_action_urls(admin_site: admin.AdminSite) -> list:
    def view(request: HttpRequest, supporter_id: int, action: str) -> HttpResponse:
        return supporter_action_view(request, supporter_id, action, admin_site)

    return [
        path(
            "<int:supporter_id>/act/<str:action>/",
            admin_site.admin_view(view),
            name="subscriptions_supporter_act",
        )
    ]
