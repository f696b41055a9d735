"""Changes to staff accounts and groups, and every sign-in, recorded in the audit log.

Connected in SubscriptionsConfig.ready(); admin, shell and management commands all
go through these signals, so none of them can change staff without a trace.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from .models import AuditAction
from .services.audit import audit_record

USER_FIELDS = ["username", "first_name", "last_name", "email", "is_active", "is_staff"]
USER_FIELDS += ["is_superuser"]


def _user_snapshot(user) -> dict:
    return {field: getattr(user, field) for field in USER_FIELDS}


def user_pre_save(sender, instance, update_fields=None, **kwargs) -> None:
    if instance.pk is None or (update_fields and set(update_fields) <= {"last_login"}):
        instance._audit_before = None
        return
    instance._audit_before = (
        sender.objects.filter(pk=instance.pk).values(*USER_FIELDS, "password").first()
    )


def user_post_save(sender, instance, created, **kwargs) -> None:
    if created:
        audit_record(
            action=AuditAction.USER_CREATED, target=instance, after=_user_snapshot(instance)
        )
        return
    stored = getattr(instance, "_audit_before", None)
    instance._audit_before = None
    if stored is None:
        return
    if stored.pop("password") != instance.password:
        # Never the hashes themselves: only that the password changed.
        audit_record(action=AuditAction.PASSWORD_CHANGED, target=instance)
    now = _user_snapshot(instance)
    changed = [field for field in USER_FIELDS if stored[field] != now[field]]
    if changed:
        audit_record(
            action=AuditAction.USER_CHANGED,
            target=instance,
            before={field: stored[field] for field in changed},
            after={field: now[field] for field in changed},
        )


def user_post_delete(sender, instance, **kwargs) -> None:
    audit_record(action=AuditAction.USER_DELETED, target=instance, before=_user_snapshot(instance))


def group_pre_save(sender, instance, **kwargs) -> None:
    instance._audit_old_name = (
        sender.objects.filter(pk=instance.pk).values_list("name", flat=True).first()
        if instance.pk
        else None
    )


def group_post_save(sender, instance, created, **kwargs) -> None:
    if created:
        audit_record(action=AuditAction.GROUP_CREATED, target=instance)
    elif instance._audit_old_name != instance.name:
        audit_record(
            action=AuditAction.GROUP_CHANGED,
            target=instance,
            before={"name": instance._audit_old_name},
            after={"name": instance.name},
        )


def group_pre_delete(sender, instance, **kwargs) -> None:
    instance._audit_before = {
        "name": instance.name,
        "members": sorted(instance.user_set.values_list("username", flat=True)),
        "permissions": _names(instance.permissions.all()),
    }


def group_post_delete(sender, instance, **kwargs) -> None:
    audit_record(action=AuditAction.GROUP_DELETED, target=instance, before=instance._audit_before)


def _label(obj) -> str:
    if isinstance(obj, Group):
        return obj.name
    return f"{obj.content_type.app_label}.{obj.codename}"


def _names(queryset) -> list[str]:
    return sorted(_label(obj) for obj in queryset.select_related(*_related(queryset.model)))


def _related(model) -> list[str]:
    return [] if model is Group else ["content_type"]


class _Relation:
    """One many-to-many relation whose changes are audited: whose it is, and which field."""

    def __init__(self, owner_model, field: str, action: str):
        self.owner_model = owner_model
        self.field = field
        self.action = action

    def current(self, owner) -> list[str]:
        return _names(getattr(owner, self.field).all())

    def record(self, owner, *, added: list[str], removed: list[str]) -> None:
        if not added and not removed:
            return
        after = self.current(owner)
        before = sorted((set(after) - set(added)) | set(removed))
        audit_record(
            action=self.action,
            target=owner,
            before={self.field: before},
            after={self.field: after},
        )


def _relations() -> dict:
    user = get_user_model()
    return {
        user.groups.through: _Relation(user, "groups", AuditAction.GROUPS_CHANGED),
        user.user_permissions.through: _Relation(
            user, "user_permissions", AuditAction.PERMISSIONS_CHANGED
        ),
        Group.permissions.through: _Relation(
            Group, "permissions", AuditAction.GROUP_PERMISSIONS_CHANGED
        ),
    }


def m2m_changed_audit(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    relation = _relations().get(sender)
    if relation is None:
        return
    if action == "pre_clear":
        # Remember what is about to go; post_clear has no pk_set to tell us.
        if reverse:
            instance._audit_cleared = list(
                relation.owner_model.objects.filter(**{relation.field: instance})
            )
        else:
            instance._audit_cleared = relation.current(instance)
        return
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        added: list[str]
        removed: list[str]
        if action == "post_clear":
            removed, added = instance._audit_cleared, []
        else:
            names = _names(model.objects.filter(pk__in=pk_set))
            added, removed = (names, []) if action == "post_add" else ([], names)
        relation.record(instance, added=added, removed=removed)
        return
    # Reverse: `instance` is the group or permission; the owners changed are in pk_set.
    owners = (
        instance._audit_cleared
        if action == "post_clear"
        else list(relation.owner_model.objects.filter(pk__in=pk_set))
    )
    label = [_label(instance)]
    for owner in owners:
        if action == "post_add":
            relation.record(owner, added=label, removed=[])
        else:
            relation.record(owner, added=[], removed=label)


def user_signed_in(sender, request, user, **kwargs) -> None:
    device = getattr(user, "otp_device", None)
    audit_record(
        actor=user,
        action=AuditAction.SIGNED_IN,
        target=user,
        request=request,
        after={"second_factor": device.name if device is not None else None},
    )


def user_signed_out(sender, request, user, **kwargs) -> None:
    if user is None:
        return
    audit_record(
        actor=user,
        action=AuditAction.SIGNED_OUT,
        target=user,
        request=request,
        reason=getattr(request, "staff_sign_out_reason", ""),
    )


def user_sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get("username", ""))
    account = get_user_model().objects.filter(username=username).first()
    if getattr(request, "axes_locked_out", False):
        reason = "Refused: too many failed sign-ins for this account or address."
    else:
        reason = credentials.get("failure", "Wrong username or password.")
    audit_record(
        actor=None,
        actor_username=username,
        action=AuditAction.SIGN_IN_FAILED,
        target=account,
        request=request,
        reason=reason,
    )


def device_post_delete(sender, instance, **kwargs) -> None:
    """A superuser resetting someone's authenticator or recovery codes (a lost phone)."""
    owner = get_user_model().objects.filter(pk=instance.user_id).first()
    audit_record(
        action=AuditAction.TWO_FACTOR_REMOVED,
        target=owner,
        target_label=owner.get_username() if owner else f"user {instance.user_id}",
        before={"device": instance.name, "confirmed": instance.confirmed},
    )
