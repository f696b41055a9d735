"""Reads for the reader-facing pages."""

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, QuerySet
from django.utils import timezone

from subscriptions.money import money_format

from .models import Contribution, Payment, Supporter, Upsell
from .models.supporters import ContributionStatus
from .pledges import Frequency
from .signing import ManageGrant
from .suggestions import MONTHS_IN_A_YEAR, switched_amount


def supporter_get(*, supporter_id: int) -> Supporter | None:
    """The supporter a link names; an erased supporter is nobody any link can open."""
    return Supporter.objects.filter(pk=supporter_id, erased_at__isnull=True).first()


def contribution_for_checkout_session(*, session_id: str) -> Contribution | None:
    """The gift a Checkout Session of ours was opened for (no call to Stripe)."""
    if not session_id:
        return None
    return Contribution.objects.filter(stripe_checkout_session_id=session_id).first()


def supporter_for_grant(*, grant: ManageGrant | None) -> Supporter | None:
    """The supporter a link or session names, if it was made for their current token
    version (an email change or "sign out everywhere" ends older ones)."""
    if grant is None:
        return None
    return Supporter.objects.filter(pk=grant.supporter_id, token_version=grant.version).first()


def supporter_find_by_email(*, email: str) -> Supporter | None:
    return Supporter.objects.filter(email__iexact=email.strip()).first()


def contribution_list_for_supporter(*, supporter: Supporter) -> QuerySet[Contribution]:
    return supporter.contributions.exclude(status__in=["pending", "expired"]).order_by(
        "-created_at"
    )


@dataclass(frozen=True)
class SwitchOffer:
    """What the manage page offers a monthly or yearly gift: the other frequency, at the
    current amount converted, from the end of the period already paid for."""

    frequency: str
    amount: int
    currency: str
    # The current amount at the other frequency before rounding (€5 a month: €60 a year).
    same_amount: int
    starts_on: datetime | None


def contribution_switch_offer(*, contribution: Contribution) -> SwitchOffer | None:
    if not contribution.is_recurring:
        return None
    to_year = contribution.frequency == Frequency.MONTH
    frequency = Frequency.YEAR if to_year else Frequency.MONTH
    amount, currency = contribution.amount, contribution.currency
    return SwitchOffer(
        frequency=frequency,
        amount=switched_amount(amount=amount, currency=currency, frequency=frequency),
        currency=currency,
        same_amount=amount * MONTHS_IN_A_YEAR if to_year else round(amount / MONTHS_IN_A_YEAR),
        starts_on=contribution.current_period_end,
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


def supporter_email_for_contribution(*, public_id: str) -> str:
    if (key := _uuid(public_id)) is None:
        return ""
    contribution = Contribution.objects.select_related("supporter").filter(public_id=key).first()
    return contribution.supporter.email if contribution and contribution.supporter else ""


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """A calendar year in the newsroom's zone, as aware datetimes."""
    zone = ZoneInfo(settings.NEWSROOM_TIME_ZONE)
    return (
        datetime.combine(date(year, 1, 1), time.min, tzinfo=zone),
        datetime.combine(date(year + 1, 1, 1), time.min, tzinfo=zone),
    )


def payment_list_for_year(*, supporter: Supporter, year: int) -> QuerySet[Payment]:
    start, end = year_bounds(year)
    return (
        supporter.payments.filter(paid_at__gte=start, paid_at__lt=end)
        .select_related("contribution")
        .order_by("paid_at")
    )


def statement_years_for_supporter(*, supporter: Supporter) -> list[int]:
    zone = ZoneInfo(settings.NEWSROOM_TIME_ZONE)
    years = {
        timezone.localtime(paid_at, zone).year
        for paid_at in supporter.payments.values_list("paid_at", flat=True)
    }
    return sorted(years, reverse=True)


def giving_totals(payments) -> list[str]:
    """What was given, net of refunds, per currency: ["€60.00", "£12.00"]."""
    totals: dict[str, int] = defaultdict(int)
    for payment in payments:
        totals[payment.currency] += payment.amount - payment.amount_refunded
    return [
        money_format(amount, currency=currency, trim_zero_cents=False)
        for currency, amount in sorted(totals.items())
    ]


@dataclass(frozen=True)
class UpsellFigures:
    """Readers who chose "once" and were offered a monthly gift, counted by their answer
    (gifts whose checkout went through)."""

    accepted: int
    declined: int

    @property
    def offered(self) -> int:
        return self.accepted + self.declined

    @property
    def accepted_percent(self) -> float | None:
        return round(self.accepted * 100 / self.offered, 1) if self.offered else None


def upsell_figures(*, since: datetime | None = None) -> UpsellFigures:
    gifts = Contribution.objects.exclude(upsell=Upsell.NOT_OFFERED).exclude(
        status__in=[ContributionStatus.PENDING, ContributionStatus.EXPIRED]
    )
    if since is not None:
        gifts = gifts.filter(created_at__gte=since)
    counts = dict(gifts.values_list("upsell").annotate(count=Count("id")).order_by())
    return UpsellFigures(
        accepted=counts.get(Upsell.ACCEPTED, 0), declined=counts.get(Upsell.DECLINED, 0)
    )
