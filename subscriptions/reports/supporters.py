"""The supporters list for the newsroom's CRM: one row per supporter, their consent,
language, first and last gift, lifetime total per currency (what they paid, less refunds)
and state."""

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db.models import F, Max, Min, Sum

from subscriptions.models import Contribution, Payment, Supporter
from subscriptions.models.supporters import ContributionStatus

from .books import local_midnight
from .ledger import Period, major, stamp

ACTIVE_STATUSES = {ContributionStatus.ACTIVE, ContributionStatus.PAST_DUE}


def supporter_columns() -> list[str]:
    return [
        "supporter_id",
        "email",
        "name",
        "reminders_consent",
        "email_deliverable",
        "language",
        "first_gift_utc",
        "last_gift_utc",
        *(f"lifetime_{currency}" for currency in settings.CONTRIBUTION_CURRENCIES),
        "state",
    ]


def supporter_rows(period: Period) -> Iterator[list[str]]:
    """Supporters who gave in the period (their lifetime figures are all-time)."""
    gave = Payment.objects.filter(
        paid_at__gte=local_midnight(period.start), paid_at__lt=local_midnight(period.end)
    ).values("supporter_id")
    supporters = Supporter.objects.filter(pk__in=gave).order_by("pk")
    totals: dict[int, dict[str, int]] = defaultdict(dict)
    for line in (
        Payment.objects.filter(supporter__in=supporters)
        .values("supporter_id", "currency")
        .annotate(total=Sum(F("amount") - F("amount_refunded")))
    ):
        totals[line["supporter_id"]][line["currency"]] = line["total"]
    dates: dict[int, dict[str, Any]] = {
        line["supporter_id"]: dict(line)
        for line in Payment.objects.filter(supporter__in=supporters)
        .values("supporter_id")
        .annotate(first=Min("paid_at"), last=Max("paid_at"))
    }
    active = set(
        Contribution.objects.filter(
            supporter__in=supporters, status__in=ACTIVE_STATUSES
        ).values_list("supporter_id", flat=True)
    )
    ever_recurring = set(
        Contribution.objects.filter(supporter__in=supporters)
        .exclude(frequency="once")
        .exclude(started_at=None)
        .values_list("supporter_id", flat=True)
    )
    for supporter in supporters.iterator():
        if supporter.pk in active:
            state = "recurring"
        elif supporter.pk in ever_recurring:
            state = "lapsed"
        else:
            state = "one-time"
        given = dates.get(supporter.pk, {})
        yield [
            str(supporter.pk),
            supporter.email,
            supporter.name,
            "no" if supporter.reminders_unsubscribed_at else "yes",
            "no" if supporter.email_undeliverable_at else "yes",
            supporter.language,
            stamp(given.get("first")),
            stamp(given.get("last")),
            *(
                major(totals[supporter.pk].get(currency, 0), currency)
                for currency in settings.CONTRIBUTION_CURRENCIES
            ),
            state,
        ]
