"""Supporters: one per email address, found or made from what Stripe knows of them."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from subscriptions.models import Supporter


def supporter_upsert(*, email: str, name: str = "", language: str | None = None) -> Supporter:
    """The supporter with this email (any case), created if new.

    `language` is the one the appeal they gave from was shown in, when the gift started on
    our site: their emails follow the language they last gave in.
    """
    email = email.strip()
    supporter = Supporter.objects.filter(email__iexact=email).first()
    if supporter is None:
        created = {"language": language} if language else {}
        try:
            with transaction.atomic():
                supporter = Supporter.objects.create(email=email, name=name, **created)
        except IntegrityError:
            # Another worker made the same supporter a moment ago.
            supporter = Supporter.objects.get(email__iexact=email)
        else:
            return supporter
    changed = []
    if name and not supporter.name:
        supporter.name = name
        changed.append("name")
    if language and supporter.language != language:
        supporter.language = language
        changed.append("language")
    if changed:
        supporter.save(update_fields=[*changed, "updated_at"])
    return supporter


def supporter_unsubscribe_reminders(supporter: Supporter) -> None:
    """One click from any reminder: no more reminders or win-back. Receipts still go."""
    if supporter.reminders_unsubscribed_at is None:
        supporter.reminders_unsubscribed_at = timezone.now()
        supporter.save(update_fields=["reminders_unsubscribed_at", "updated_at"])


def supporter_mark_undeliverable(*, email: str, reason: str) -> int:
    """The provider says mail to this address bounces or was reported: stop reminders."""
    return Supporter.objects.filter(
        email__iexact=email.strip(), email_undeliverable_at__isnull=True
    ).update(email_undeliverable_at=timezone.now(), email_undeliverable_reason=reason[:200])


def supporter_sign_out_everywhere(*, supporter: Supporter) -> None:
    """Every manage link and manage session this supporter holds stops working."""
    Supporter.objects.filter(pk=supporter.pk).update(
        token_version=F("token_version") + 1, updated_at=timezone.now()
    )
    supporter.refresh_from_db(fields=["token_version", "updated_at"])
