"""Supporter care's list of supporters and the page of one supporter: find anyone fast,
read one timeline, and act from there (the actions are in care_actions.py)."""

from collections.abc import Callable, Iterator
from datetime import date, datetime, time
from functools import lru_cache
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import get_language

from subscriptions.models import AuditAction, Supporter
from subscriptions.models.supporters import CHANGEABLE_STATUSES
from subscriptions.money import money_format
from subscriptions.pledges import Frequency
from subscriptions.services.audit import audit_record
from subscriptions.services.supporters import supporter_sign_out_everywhere
from subscriptions.timeline import (
    stripe_dashboard_url,
    supporter_timeline,
    supporters_matching_stripe_id,
)

from . import care_actions
from .privacy import PrivacyRequestActions

# The list stops counting here: "10,000 or more" is all a search box needs to say, and
# counting a million rows on every page costs more than the page itself.
COUNT_CAP = 10_000


class CappedCountPaginator(Paginator):
    """Counts at most COUNT_CAP rows (a LIMIT inside the count), never the whole table;
    unordered, since the order cannot change how many there are. The unfiltered list is
    not counted at all: PostgreSQL's own estimate of the table's rows (kept by ANALYZE and
    autovacuum) stands in, capped the same way."""

    @cached_property
    def count(self) -> int:
        queryset = cast(QuerySet, self.object_list)
        if not queryset.query.where and connection.vendor == "postgresql":
            estimate = _estimated_rows(queryset.model._meta.db_table)
            if estimate >= COUNT_CAP:
                return COUNT_CAP
        return queryset.order_by()[:COUNT_CAP].count()


def _estimated_rows(table: str) -> int:
    """pg_class.reltuples: -1 (never analyzed) or a few rows off, never a scan."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
        row = cursor.fetchone()
    return int(row[0]) if row else -1


class StartedBetweenFilter(admin.FieldListFilter):
    """First gift between two dates (either may be left empty)."""

    template = "admin/subscriptions/started_between_filter.html"

    def __init__(self, field, request, params, model, model_admin, field_path) -> None:
        self.since_param = f"{field_path}__gte"
        self.until_param = f"{field_path}__lt"
        super().__init__(field, request, params, model, model_admin, field_path)
        self.since = self._last(self.since_param)
        self.until = self._last(self.until_param)

    def _last(self, name: str) -> str:
        value = self.used_parameters.get(name) or [""]
        return str(value[-1] if isinstance(value, list) else value)

    def expected_parameters(self) -> list[str | None]:
        return [self.since_param, self.until_param]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        """Dates are the newsroom's local days (NEWSROOM_TIME_ZONE), as in the reports."""
        zone = ZoneInfo(settings.NEWSROOM_TIME_ZONE)
        bounds = {}
        for param, text in ((self.since_param, self.since), (self.until_param, self.until)):
            if not text:
                continue
            try:
                day = date.fromisoformat(text)
            except ValueError:
                raise IncorrectLookupParameters(f"{text!r} is not a date.") from None
            bounds[param] = datetime.combine(day, time.min, tzinfo=zone)
        return queryset.filter(**bounds)

    def has_output(self) -> bool:
        return True

    def choices(self, changelist: Any) -> Iterator[Any]:
        yield {
            "since_param": self.since_param,
            "until_param": self.until_param,
            "since": self.since,
            "until": self.until,
            "others": [
                (key, value)
                for key, value in changelist.get_filters_params().items()
                if key not in self.expected_parameters()
            ],
            "clear_url": changelist.get_query_string(remove=self.expected_parameters()),
        }


class PlanCurrencyFilter(admin.SimpleListFilter):
    """The currencies offered, from settings: listing the distinct values of a column
    would read every supporter on every page."""

    title = "plan currency"
    parameter_name = "plan_currency"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(code, code.upper()) for code in settings.CONTRIBUTION_CURRENCIES]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(plan_currency=self.value()) if self.value() else queryset


@lru_cache(maxsize=8192)
def _money_in(amount: int, currency: str, language: str | None) -> str:
    return money_format(amount, currency=currency, trim_zero_cents=False)


def _money(amount: int, currency: str) -> str:
    # Babel takes a tenth of a millisecond per amount; a list page shows hundreds, and
    # most of them (plan amounts) repeat.
    return _money_in(amount, currency, get_language())


def _language_action(code: str, name: str) -> Any:
    """An admin action: from now on, write to the selected supporters in this language
    (the language they gave in is the default; a supporter may ask for another)."""

    def action(modeladmin: Any, request: HttpRequest, queryset: QuerySet) -> None:
        count = 0
        for supporter in queryset.exclude(language=code):
            with transaction.atomic():
                before = {"language": supporter.language}
                supporter.language = code
                supporter.save(update_fields=["language", "updated_at"])
                audit_record(
                    action=AuditAction.SUPPORTER_LANGUAGE_CHANGED,
                    target=supporter,
                    request=request,
                    before=before,
                    after={"language": code},
                )
            count += 1
        modeladmin.message_user(
            request,
            f"{count} supporter(s) will be written to in {name} from now on.",
            messages.SUCCESS,
        )

    action.__name__ = f"write_in_{code}"
    action.short_description = f"Write to the selected supporters in {name}"  # type: ignore[attr-defined]
    return action


@admin.register(Supporter)
class SupporterAdmin(PrivacyRequestActions):
    list_display = [
        "email",
        "name",
        "state",
        "current_plan",
        "lifetime_total",
        "first_gift",
    ]
    list_filter = [
        "state",
        "plan_frequency",
        PlanCurrencyFilter,
        "has_failed_payment",
        "language",
        ("first_gift_at", StartedBetweenFilter),
    ]
    search_fields = ["email", "name"]
    search_help_text = (
        "An email address, a name, or any Stripe id: customer (cus_), subscription (sub_), "
        "invoice (in_), charge (ch_), payment intent (pi_) or event (evt_)."
    )
    show_full_result_count = False
    # Sorting a million rows by a column without an index would scan them all.
    sortable_by = ["first_gift"]
    paginator = CappedCountPaginator
    list_per_page = 50
    # Everything the list shows is on the supporter's own row (the summary columns).
    list_select_related = False
    ordering = ["-created_at", "-id"]
    change_form_template = "admin/subscriptions/supporter/change_form.html"
    # Plus one "Write to the selected supporters in …" per language (get_actions).
    # Its rows are drawn by supporter_rows.py (Django's markup, a fraction of the time).
    change_list_template = "admin/subscriptions/supporter/change_list.html"
    actions = [*PrivacyRequestActions.actions, "sign_out_everywhere"]
    fields = readonly_fields = (
        "email",
        "name",
        "language",
        "state",
        "created_at",
        "reminders_unsubscribed_at",
        "email_undeliverable_at",
        "email_undeliverable_reason",
        "erased_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Staff change a supporter's gifts through the actions, which go to Stripe and are
        # audited, never by editing fields. Only the name and address are edited here, and
        # only with the change permission (no role has it; see save_model).
        if self.has_change_permission(request, obj):
            return [name for name in self.fields if name not in ("email", "name")]
        return list(self.fields)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_sign_out_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("subscriptions.sign_out_supporter")

    @admin.action(
        description="Sign out of the manage page everywhere (ends every link sent so far)",
        permissions=["sign_out"],
    )
    def sign_out_everywhere(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = 0
        for supporter in queryset:
            with transaction.atomic():
                supporter_sign_out_everywhere(supporter=supporter)
                audit_record(
                    action=AuditAction.SUPPORTER_SIGNED_OUT, target=supporter, request=request
                )
            count += 1
        self.message_user(
            request,
            f"Signed out {count} supporter{'s' if count != 1 else ''} everywhere: "
            "their earlier manage links no longer work.",
            messages.SUCCESS,
        )

    def has_change_language_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("subscriptions.change_supporter_language")

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        for code, name in settings.LANGUAGES:
            action = _language_action(code, name)
            if self.has_change_language_permission(request):
                actions[action.__name__] = (action, action.__name__, action.short_description)
            else:
                actions.pop(action.__name__, None)
        return actions

    def save_model(self, request: HttpRequest, obj: Supporter, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if change and "email" in form.changed_data:
                # Links sent to the old address, and sessions they opened, stop working.
                supporter_sign_out_everywhere(supporter=obj)
                audit_record(
                    action=AuditAction.SUPPORTER_EMAIL_CHANGED, target=obj, request=request
                )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        """A Stripe id or an email address is one indexed lookup; anything else searches
        names and addresses."""
        term = search_term.strip()
        if not term:
            return queryset, False
        by_stripe_id = supporters_matching_stripe_id(term)
        if by_stripe_id is not None:
            return queryset.filter(by_stripe_id), False
        if "@" in term and " " not in term:
            return queryset.alias(email_lower=Lower("email")).filter(
                email_lower=term.lower()
            ), False
        return queryset.filter(Q(email__icontains=term) | Q(name__icontains=term)), False

    def list_cells(self) -> dict[str, Callable[[Supporter], str]]:
        """Each column's text for a supporter, for the rows drawn by supporter_rows.py."""
        return {
            "email": lambda supporter: supporter.email,
            "name": lambda supporter: supporter.name,
            "state": lambda supporter: supporter.get_state_display(),
            "current_plan": self.current_plan,
            "lifetime_total": self.lifetime_total,
            "first_gift": self.first_gift,
        }

    @admin.display(description="Current plan (per month)")
    def current_plan(self, supporter: Supporter) -> str:
        """The plan and what it gives a month: "€60.00 a year (€5.00 a month)"."""
        if not supporter.plan_currency:
            return "-"
        amount = _money(supporter.plan_amount, supporter.plan_currency)
        if supporter.plan_frequency == Frequency.MONTH:
            return f"{amount} a month"
        monthly = _money(supporter.plan_monthly_amount, supporter.plan_currency)
        return f"{amount} a year ({monthly} a month)"

    @admin.display(description="First gift", ordering="first_gift_at")
    def first_gift(self, supporter: Supporter) -> str:
        if supporter.first_gift_at is None:
            return "-"
        zone = ZoneInfo(settings.NEWSROOM_TIME_ZONE)
        return supporter.first_gift_at.astimezone(zone).date().isoformat()

    @admin.display(description="Given in all")
    def lifetime_total(self, supporter: Supporter) -> str:
        totals = supporter.lifetime_totals or {}
        return ", ".join(_money(totals[code], code) for code in sorted(totals)) or "-"

    def get_urls(self) -> list:
        return [*care_actions.supporter_action_urls(self.admin_site), *super().get_urls()]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> Any:
        supporter = Supporter.objects.filter(pk=object_id).first() if object_id.isdigit() else None
        if supporter is not None:
            extra_context = {**(extra_context or {}), **self._page(request, supporter)}
        return super().change_view(request, object_id, form_url, extra_context)

    def _page(self, request: HttpRequest, supporter: Supporter) -> dict[str, Any]:
        user = request.user

        def action(name: str, **target: int) -> str:
            if not user.has_perm(care_actions.ACTIONS[name].permission):
                return ""
            url = reverse("admin:subscriptions_supporter_act", args=[supporter.pk, name])
            query = "&".join(f"{key}={value}" for key, value in target.items())
            return f"{url}?{query}" if query else url

        plans = list(supporter.contributions.order_by("-created_at")[:100])
        paid = list(supporter.payments.order_by("-paid_at")[:100])
        contributions = [
            {
                "row": contribution,
                "amount": _money(contribution.amount, contribution.currency),
                "stripe_url": stripe_dashboard_url(contribution.stripe_subscription_id or ""),
                "cancel_url": action("cancel", contribution=contribution.pk)
                if contribution.is_recurring and contribution.status in CHANGEABLE_STATUSES
                else "",
                "change_url": action("change_amount", contribution=contribution.pk)
                if contribution.is_recurring and contribution.status in CHANGEABLE_STATUSES
                else "",
                "pause_url": action("pause", contribution=contribution.pk)
                if contribution.is_changeable
                and not contribution.collection_paused
                and not contribution.cancel_at_period_end
                else "",
                "resume_url": action("resume", contribution=contribution.pk)
                if contribution.is_changeable and contribution.collection_paused
                else "",
            }
            for contribution in plans
        ]
        payments = [
            {
                "row": payment,
                "gross": _money(payment.amount, payment.currency),
                # What the newsroom kept, in the account's settlement currency.
                "fee": _money(payment.fee, payment.settlement_currency),
                "net": _money(payment.net, payment.settlement_currency),
                "refunded": _money(payment.amount_refunded, payment.currency),
                "stripe_url": stripe_dashboard_url(payment.stripe_charge_id),
                "refund_url": action("refund", payment=payment.pk)
                if payment.amount_refunded < payment.amount
                else "",
                "resend_url": action("resend_receipt", payment=payment.pk)
                if payment.receipt_number
                else "",
            }
            for payment in paid
        ]
        return {
            "care_contributions": contributions,
            "care_payments": payments,
            "care_timeline": supporter_timeline(
                supporter=supporter, contributions=plans, payments=paid
            ),
            "care_manage_link_url": action("send_manage_link"),
            "care_lifetime_total": self.lifetime_total(supporter),
        }
