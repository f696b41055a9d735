"""The audit log in admin: read by those allowed to, changed by nobody."""

import json

from django.contrib import admin
from django.utils.html import format_html

from .models import AuditAction, AuditEntry


class AuditActionFilter(admin.SimpleListFilter):
    title = "action"
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return AuditAction.choices

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor_username", "action_label", "target_label", "reason"]
    list_display_links = ["created_at"]
    list_filter = [AuditActionFilter, "actor_username", "created_at"]
    search_fields = ["actor_username", "target_label", "target_object_id", "reason"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = readonly_fields = (
        "created_at",
        "actor_username",
        "actor_id",
        "action_label",
        "ip_address",
        "reason",
        "target_content_type",
        "target_object_id",
        "target_label",
        "supporter_id",
        "before_pretty",
        "after_pretty",
    )

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="Action", ordering="action")
    def action_label(self, entry: AuditEntry) -> str:
        return entry.action_label

    @admin.display(description="Before")
    def before_pretty(self, entry: AuditEntry) -> str:
        return _pretty(entry.before)

    @admin.display(description="After")
    def after_pretty(self, entry: AuditEntry) -> str:
        return _pretty(entry.after)


def _pretty(value) -> str:
    if value is None:
        return "-"
    return format_html("<pre>{}</pre>", json.dumps(value, indent=2, sort_keys=True))
