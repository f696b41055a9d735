"""Writing the audit log: one append-only row per staff action or change to staff."""

import ipaddress
from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import HttpRequest

from ..models import AuditEntry, Supporter
from ..ratelimit import client_ip

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# The request being served, so that model signals (a user saved in admin, a group
# changed) know who made the change and from where. Set by AuditRequestMiddleware.
_current_request: ContextVar[HttpRequest | None] = ContextVar("audit_current_request", default=None)


def audit_request_bind(request: HttpRequest) -> Callable[[], None]:
    """Make `request` the current one; call the returned function to undo it."""
    token = _current_request.set(request)
    return lambda: _current_request.reset(token)


def audit_current_request() -> HttpRequest | None:
    return _current_request.get()


def _address_of(request: HttpRequest | None) -> str | None:
    """The client's address as the rate limits see it, if it is an address at all."""
    if request is None:
        return None
    try:
        return str(ipaddress.ip_address(client_ip(request)))
    except ValueError:
        return None


def _label_of(target: models.Model | None) -> str:
    """What the log calls the target. Never a supporter's email or name: the log cannot
    be erased, and a supporter's personal data must be (DESIGN.md, donor safety)."""
    if target is None:
        return ""
    if isinstance(target, Supporter):
        return f"Supporter {target.pk}"
    return str(target)


def _supporter_id_of(target: models.Model | None) -> int | None:
    if isinstance(target, Supporter):
        return target.pk
    return getattr(target, "supporter_id", None)


def audit_record(
    *,
    actor: "User | None" = None,
    action: str,
    target: models.Model | None = None,
    reason: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    actor_username: str | None = None,
    target_label: str | None = None,
) -> AuditEntry:
    """Append one entry to the audit log.

    `actor` defaults to the signed-in user of `request` (or of the request being served);
    `actor_username` overrides the snapshot, e.g. the name typed in a failed sign-in.
    Entries are kept for ever: put no supporter's email, name or card detail in `reason`,
    `before` or `after` (ids and amounts are what the timeline needs).
    """
    request = request if request is not None else audit_current_request()
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            actor = user
    if actor_username is None:
        actor_username = actor.get_username() if actor is not None else ""
    return AuditEntry.objects.create(
        actor=actor,
        actor_username=actor_username[:150],
        action=action,
        ip_address=_address_of(request),
        reason=reason,
        target_content_type=(
            ContentType.objects.get_for_model(target, for_concrete_model=False)
            if target is not None
            else None
        ),
        target_object_id=str(target.pk) if target is not None else "",
        target_label=(target_label if target_label is not None else _label_of(target))[:255],
        supporter_id=_supporter_id_of(target),
        before=before,
        after=after,
    )
