from django.contrib import admin

from .models import Contribution, Payment, Payout, StripeEvent, Supporter


class ContributionInline(admin.TabularInline):
    model = Contribution
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ["amount", "currency", "frequency", "status", "current_period_end", "created_at"]
    readonly_fields = fields


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0
    can_delete = False
    fields = ["paid_at", "amount", "currency", "fee", "amount_refunded", "dispute_status"]
    readonly_fields = fields


@admin.register(Supporter)
class SupporterAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "created_at"]
    search_fields = ["email", "name", "contributions__stripe_customer_id"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [ContributionInline, PaymentInline]


@admin.register(Contribution)
class ContributionAdmin(admin.ModelAdmin):
    list_display = ["supporter", "amount", "currency", "frequency", "status", "created_at"]
    list_filter = ["status", "frequency", "currency", "covers_fees"]
    search_fields = [
        "supporter__email",
        "supporter__name",
        "stripe_subscription_id",
        "stripe_customer_id",
    ]
    list_select_related = ["supporter"]
    raw_id_fields = ["supporter", "source_article"]
    readonly_fields = [
        "public_id",
        "stripe_customer_id",
        "stripe_checkout_session_id",
        "stripe_subscription_id",
        "stripe_payment_intent_id",
        "stripe_synced_at",
        "created_at",
        "updated_at",
    ]


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ["stripe_charge_id", "supporter", "amount", "currency", "fee", "paid_at"]
    list_filter = ["currency", "dispute_status"]
    search_fields = ["stripe_charge_id", "stripe_invoice_id", "supporter__email"]
    list_select_related = ["supporter"]
    raw_id_fields = ["supporter", "contribution"]


@admin.register(Payout)
class PayoutAdmin(admin.ModelAdmin):
    list_display = ["stripe_payout_id", "amount", "currency", "status", "arrival_date"]


@admin.register(StripeEvent)
class StripeEventAdmin(admin.ModelAdmin):
    list_display = ["stripe_id", "type", "received_at", "processed_at", "attempts"]
    list_filter = ["type"]
    search_fields = ["stripe_id", "type"]
    readonly_fields = [field.name for field in StripeEvent._meta.fields]
