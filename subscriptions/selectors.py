"""Reads for the reader-facing pages."""

import uuid

from django.db.models import QuerySet

from .models import Contribution, Payment, Supporter


def supporter_get(*, supporter_id: int) -> Supporter | None:
    return Supporter.objects.filter(pk=supporter_id).first()


def supporter_find_by_email(*, email: str) -> Supporter | None:
    return Supporter.objects.filter(email__iexact=email.strip()).first()


def contribution_list_for_supporter(*, supporter: Supporter) -> QuerySet[Contribution]:
    return supporter.contributions.exclude(status__in=["pending", "expired"]).order_by(
        "-created_at"
    )


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(text))
    except ValueError:
        return None


def contribution_get_for_supporter(*, supporter: Supporter, public_id: str) -> Contribution | None:
    if (key := _uuid(public_id)) is None:
        return None
    return supporter.contributions.filter(public_id=key).first()


def payment_list_for_supporter(*, supporter: Supporter) -> QuerySet[Payment]:
    return supporter.payments.select_related("contribution").order_by("-paid_at")


def contribution_get_by_checkout_session(*, session_id: str) -> Contribution | None:
    return Contribution.objects.filter(stripe_checkout_session_id=session_id).first()


def supporter_email_for_contribution(*, public_id: str) -> str:
    if (key := _uuid(public_id)) is None:
        return ""
    contribution = Contribution.objects.select_related("supporter").filter(public_id=key).first()
    return contribution.supporter.email if contribution and contribution.supporter else ""
