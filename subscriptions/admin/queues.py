"""Queues where a second person decides: refunds above the care limit, and possible
double gifts."""

import uuid
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.html import format_html

from subscriptions.models import (
    DuplicateStatus,
    PossibleDuplicate,
    RefundRequest,
    RefundRequestStatus,
)
from subscriptions.money import money_format
from subscriptions.services.care import (
    CareActionRefused,
    StaffAct,
    care_duplicate_resolve,
    care_refund_request_decide,
)

from .care_actions import ReasonForm


class DecisionForm(ReasonForm):
    decision = forms.ChoiceField(widget=forms.RadioSelect, label="Decision")

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["decision"]).choices = choices


class ReadOnlyQueueAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def _decide(
        self,
        request: HttpRequest,
        *,
        permission: str,
        title: str,
        description: str,
        choices: list[tuple[str, str]],
        run: Any,
    ) -> HttpResponse:
        if not request.user.has_perm(permission):
            raise PermissionDenied
        back = reverse(f"admin:subscriptions_{self.opts.model_name}_changelist")
        if request.method == "POST":
            form = DecisionForm(request.POST, choices=choices)
            if form.is_valid():
                act = StaffAct(
                    user=request.user,
                    reason=form.reason_text,
                    token=form.cleaned_data["token"],
                    request=request,
                )
                try:
                    messages.success(request, run(form.cleaned_data["decision"], act))
                except CareActionRefused as refused:
                    messages.error(request, str(refused))
                return HttpResponseRedirect(back)
        else:
            form = DecisionForm(initial={"token": uuid.uuid4()}, choices=choices)
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "form": form,
            "target_description": description,
            "back_url": back,
            "opts": self.opts,
        }
        return render(request, "admin/subscriptions/supporter/care_action.html", context)


def _money(amount: int, currency: str) -> str:
    return money_format(amount, currency=currency, trim_zero_cents=False)


@admin.register(RefundRequest)
class RefundRequestAdmin(ReadOnlyQueueAdmin):
    list_display = ["requested_at", "supporter_link", "amount_shown", "requested_by", "status",
                    "decide"]  # fmt: skip
    list_filter = ["status", "currency"]
    list_select_related = ["requested_by", "supporter"]
    show_full_result_count = False

    @admin.display(description="Supporter")
    def supporter_link(self, row: RefundRequest) -> str:
        if row.supporter_id is None:
            return "-"
        url = reverse("admin:subscriptions_supporter_change", args=[row.supporter_id])
        return format_html('<a href="{}">Supporter {}</a>', url, row.supporter_id)

    @admin.display(description="Amount", ordering="amount")
    def amount_shown(self, row: RefundRequest) -> str:
        return _money(row.amount, row.currency)

    @admin.display(description="")
    def decide(self, row: RefundRequest) -> str:
        if row.status != RefundRequestStatus.PENDING:
            return ""
        url = reverse("admin:subscriptions_refundrequest_decide", args=[row.pk])
        return format_html('<a href="{}">Approve or refuse</a>', url)

    def get_urls(self) -> list:
        return [
            path(
                "<int:pk>/decide/",
                self.admin_site.admin_view(self.decide_view),
                name="subscriptions_refundrequest_decide",
            ),
            *super().get_urls(),
        ]

    def decide_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        row = RefundRequest.objects.select_related("payment", "requested_by").filter(pk=pk).first()
        if row is None:
            raise Http404("No such refund request.")

        def run(decision: str, act: StaffAct) -> str:
            care_refund_request_decide(refund_request=row, approve=decision == "approve", act=act)
            return (
                "Refunded; the supporter gets an email."
                if decision == "approve"
                else ("Refused; nothing was refunded.")
            )

        return self._decide(
            request,
            permission="subscriptions.approve_refund",
            title="Approve or refuse a refund",
            description=(
                f"{_money(row.amount, row.currency)} of payment {row.payment.stripe_charge_id}, "
                f"asked by {row.requested_by.get_username()}: {row.reason}"
            ),
            choices=[("approve", "Approve and refund now"), ("refuse", "Refuse")],
            run=run,
        )


@admin.register(PossibleDuplicate)
class PossibleDuplicateAdmin(ReadOnlyQueueAdmin):
    list_display = ["created_at", "supporter_link", "kind", "what", "status", "resolve"]
    list_filter = ["status", "kind"]
    list_select_related = ["first_payment", "duplicate_payment", "duplicate_contribution"]
    show_full_result_count = False

    @admin.display(description="Supporter")
    def supporter_link(self, row: PossibleDuplicate) -> str:
        url = reverse("admin:subscriptions_supporter_change", args=[row.supporter_id])
        return format_html('<a href="{}">Supporter {}</a>', url, row.supporter_id)

    @admin.display(description="Gifts")
    def what(self, row: PossibleDuplicate) -> str:
        if row.duplicate_payment is not None:
            payment = row.duplicate_payment
            return (
                f"Two payments of {_money(payment.amount, payment.currency)} within a day: "
                f"{row.first_payment.stripe_charge_id if row.first_payment else '?'} and "
                f"{payment.stripe_charge_id}"
            )
        if row.duplicate_contribution is not None:
            plan = row.duplicate_contribution
            return f"Two plans running; the newer is {_money(plan.amount, plan.currency)}"
        return "-"

    @admin.display(description="")
    def resolve(self, row: PossibleDuplicate) -> str:
        if row.status != DuplicateStatus.OPEN:
            return ""
        url = reverse("admin:subscriptions_possibleduplicate_resolve", args=[row.pk])
        return format_html('<a href="{}">Resolve</a>', url)

    def get_urls(self) -> list:
        return [
            path(
                "<int:pk>/resolve/",
                self.admin_site.admin_view(self.resolve_view),
                name="subscriptions_possibleduplicate_resolve",
            ),
            *super().get_urls(),
        ]

    def resolve_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        row = (
            PossibleDuplicate.objects.select_related("duplicate_payment", "duplicate_contribution")
            .filter(pk=pk)
            .first()
        )
        if row is None:
            raise Http404("No such possible double gift.")

        def run(decision: str, act: StaffAct) -> str:
            refund = decision == "refund"
            needed = (
                "subscriptions.refund_payment"
                if row.duplicate_payment_id
                else "subscriptions.cancel_contribution"
            )
            if refund and not request.user.has_perm(needed):
                raise CareActionRefused("You may not refund or cancel gifts.")
            care_duplicate_resolve(duplicate=row, refund=refund, act=act)
            return "Refunded the second gift." if refund else "Marked as intended."

        return self._decide(
            request,
            permission="subscriptions.resolve_duplicate",
            title="Resolve a possible double gift",
            description=self.what(row),
            choices=[
                ("intended", "Intended: the supporter meant to give twice"),
                ("refund", "A mistake: refund the second payment (or end the newer plan) now"),
            ],
            run=run,
        )
