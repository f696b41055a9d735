"""Supporters: one per email address, found or made from what Stripe knows of them."""

from django.db import IntegrityError, transaction

from subscriptions.models import Supporter


def supporter_upsert(*, email: str, name: str = "") -> Supporter:
    """The supporter with this email (any case), created if new."""
    email = email.strip()
    supporter = Supporter.objects.filter(email__iexact=email).first()
    if supporter is None:
        try:
            with transaction.atomic():
                supporter = Supporter.objects.create(email=email, name=name)
        except IntegrityError:
            # Another worker made the same supporter a moment ago.
            supporter = Supporter.objects.get(email__iexact=email)
        else:
            return supporter
    if name and not supporter.name:
        supporter.name = name
        supporter.save(update_fields=["name", "updated_at"])
    return supporter
