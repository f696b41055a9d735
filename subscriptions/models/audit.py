from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from .supporters import Supporter


class AuditAction(models.TextChoices):
    """What a staff member (or the system on their behalf) did. Adding an action is one
    line here; the column is plain text, so no migration is needed for a new key."""

    USER_CREATED = "staff.user_created", "Staff account created"
    USER_CHANGED = "staff.user_changed", "Staff account changed"
    USER_DELETED = "staff.user_deleted", "Staff account deleted"
    PASSWORD_CHANGED = "staff.password_changed", "Password changed"
    GROUPS_CHANGED = "staff.groups_changed", "Group membership changed"
    PERMISSIONS_CHANGED = "staff.permissions_changed", "Personal permissions changed"
    SIGNED_IN = "staff.signed_in", "Signed in"
    SIGNED_OUT = "staff.signed_out", "Signed out"
    SIGN_IN_FAILED = "staff.sign_in_failed", "Sign-in failed"
    TWO_FACTOR_ENROLLED = "staff.two_factor_enrolled", "Two-step sign-in set up"
    TWO_FACTOR_REMOVED = "staff.two_factor_removed", "Two-step sign-in device removed"
    GROUP_CREATED = "group.created", "Group created"
    GROUP_CHANGED = "group.changed", "Group renamed"
    GROUP_DELETED = "group.deleted", "Group deleted"
    GROUP_PERMISSIONS_CHANGED = "group.permissions_changed", "Group permissions changed"
    SUPPORTER_EXPORTED = "supporter.exported", "Supporter's data exported (privacy request)"
    SUPPORTER_ERASED = "supporter.erased", "Supporter erased (privacy request)"
    EMAIL_SENT_AGAIN = "email.sent_again", "Failed email sent again"
    SUPPORTER_SIGNED_OUT = "supporter.signed_out", "Supporter signed out everywhere"
    SUPPORTER_EMAIL_CHANGED = "supporter.email_changed", "Supporter's email changed"
    SUPPORTER_LANGUAGE_CHANGED = "supporter.language_changed", "Supporter's language changed"
    RECEIPT_RESENT = "care.receipt_resent", "Receipt resent"
    MANAGE_LINK_SENT = "care.manage_link_sent", "Manage link sent"
    PLAN_CANCELLED = "care.plan_cancelled", "Plan cancelled"
    AMOUNT_CHANGED = "care.amount_changed", "Plan amount changed"
    COLLECTION_PAUSED = "care.collection_paused", "Payments paused"
    COLLECTION_RESUMED = "care.collection_resumed", "Payments resumed"
    REFUNDED = "care.refunded", "Payment refunded"
    REFUND_REQUESTED = "care.refund_requested", "Refund asked for (needs approval)"
    REFUND_APPROVED = "care.refund_approved", "Refund approved"
    REFUND_REFUSED = "care.refund_refused", "Refund refused"
    DUPLICATE_RESOLVED = "care.duplicate_resolved", "Possible double gift resolved"
    STRIPE_RESYNC = "operations.stripe_resync", "Records repaired from Stripe (stripe_resync)"


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionDenied("The audit log is append-only: entries cannot be changed.")

    def delete(self):
        raise PermissionDenied("The audit log is append-only: entries cannot be deleted.")


class AuditEntry(models.Model):
    """Who did what, when, from where and why; written once, never changed.

    PostgreSQL refuses UPDATE and DELETE of these rows with a trigger (migration 0004);
    the model refuses them too, on every database.
    """

    # The account may be deleted later; the entry keeps its id and the username it had.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_username = models.CharField(max_length=150, blank=True, db_index=True)
    action = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    reason = models.TextField(blank=True)
    target_content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    target_object_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=255, blank=True)
    # Set when the target belongs to a supporter, so their timeline can show the entry.
    supporter = models.ForeignKey(
        Supporter,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="audit_entries",
    )
    before = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "audit entries"
        # Nobody may be given the power to add, change or delete entries, not even in admin.
        default_permissions = ("view",)
        indexes = [
            models.Index(fields=["supporter", "-created_at"], name="audit_supporter_timeline"),
            models.Index(fields=["target_content_type", "target_object_id"], name="audit_target"),
        ]

    def __str__(self) -> str:
        who = self.actor_username or "system"
        return f"{who}: {self.action_label} {self.target_label}".strip()

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise PermissionDenied("The audit log is append-only: entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("The audit log is append-only: entries cannot be deleted.")

    @property
    def action_label(self) -> str:
        try:
            return AuditAction(self.action).label
        except ValueError:
            return self.action
