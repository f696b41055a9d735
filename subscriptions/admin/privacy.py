"""Admin actions for privacy requests: export a supporter's data, or erase them.

Each has its own permission, asks for confirmation and a reason on a page of its own,
and is recorded in the audit log.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from subscriptions import stripe_gateway as gateway
from subscriptions.models import Supporter
from subscriptions.privacy import export_as_json
from subscriptions.services.privacy import (
    PrivacyRequestRefused,
    supporter_erase,
    supporter_export_for_request,
)


class PrivacyRequestForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=(
            "How the request reached us and when, e.g. 'Email from the supporter, 3 May'. "
            "Kept in the audit log for ever: no name or email address here."
        ),
        max_length=2000,
    )


def _confirm(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet[Supporter],
    *,
    action: str,
    title: str,
    explanation: str,
    button: str,
) -> tuple[Supporter | None, str | None, HttpResponse | None]:
    """(supporter, reason, None) once confirmed; else (None, None, the page to show)."""
    if queryset.count() != 1:
        modeladmin.message_user(
            request, "Select exactly one supporter for a privacy request.", messages.ERROR
        )
        return None, None, None
    supporter = queryset.get()
    form = PrivacyRequestForm(request.POST if "confirmed" in request.POST else None)
    if form.is_valid():
        return supporter, form.cleaned_data["reason"], None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "explanation": explanation,
        "button": button,
        "supporter": supporter,
        "form": form,
        "action": action,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "opts": modeladmin.model._meta,
    }
    page = TemplateResponse(request, "admin/subscriptions/privacy_request.html", context)
    return None, None, page


class PrivacyRequestActions(admin.ModelAdmin):
    """The supporter admin's privacy actions (SupporterAdmin builds on it)."""

    actions = ["export_data", "erase"]

    def has_export_supporter_data_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("subscriptions.export_supporter_data")

    def has_erase_supporter_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("subscriptions.erase_supporter")

    @admin.action(
        description="Export the supporter's data (privacy request)",
        permissions=["export_supporter_data"],
    )
    def export_data(self, request: HttpRequest, queryset: QuerySet[Supporter]):
        supporter, reason, page = _confirm(
            self,
            request,
            queryset,
            action="export_data",
            title="Export a supporter's data",
            explanation=(
                "You will download everything we hold about this supporter as JSON: "
                "gifts, payments, the emails we sent them and the ids of Stripe's events."
            ),
            button="Download the export",
        )
        if supporter is None or reason is None:
            return page
        data = supporter_export_for_request(supporter=supporter, reason=reason, request=request)
        return export_response(data, supporter_id=supporter.pk)

    @admin.action(
        description="Erase the supporter (privacy request)", permissions=["erase_supporter"]
    )
    def erase(self, request: HttpRequest, queryset: QuerySet[Supporter]):
        supporter, reason, page = _confirm(
            self,
            request,
            queryset,
            action="erase",
            title="Erase a supporter",
            explanation=(
                "Their plans end at once, their customer is deleted at Stripe, and their name "
                "and email address are replaced by a pseudonym everywhere, in the emails we "
                "sent too. Payments, amounts, dates and receipt numbers stay for the accounts. "
                "This cannot be undone."
            ),
            button="Erase this supporter",
        )
        if supporter is None or reason is None:
            return page
        try:
            erasure = supporter_erase(supporter=supporter, reason=reason, request=request)
        except PrivacyRequestRefused as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return None
        except gateway.GatewayError as error:
            self.message_user(
                request,
                f"Stripe did not complete the erasure, so nothing of ours was erased: {error}. "
                "Please try again.",
                messages.ERROR,
            )
            return None
        self.message_user(
            request,
            f"Supporter {supporter.pk} was erased: {erasure.plans_ended} plan(s) ended, "
            f"{erasure.customers_deleted} Stripe customer(s) deleted, "
            f"{erasure.events_pruned} event payload(s) pruned.",
        )
        return None


def export_response(data: dict, *, supporter_id: int) -> HttpResponse:
    response = HttpResponse(export_as_json(data), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="supporter-{supporter_id}.json"'
    response["Cache-Control"] = "no-store"
    return response
