"""What operators must look at: Stripe events and emails that keep failing.

`/healthz` reports these as "degraded" (the site still serves readers) and every admin
page shows a banner linking to the rows concerned.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import EmailStatus, OutboxEmail, StripeEvent

# Unprocessed or unsent this long after arriving or being written: someone should look.
STUCK_AFTER = timedelta(hours=1)


def stripe_events_stuck(*, now: datetime | None = None) -> QuerySet[StripeEvent]:
    """Events still unprocessed an hour after they arrived, parked ones included."""
    cutoff = (now or timezone.now()) - STUCK_AFTER
    return StripeEvent.objects.filter(processed_at__isnull=True, received_at__lt=cutoff)


def emails_stuck(*, now: datetime | None = None) -> QuerySet[OutboxEmail]:
    """Emails failing for an hour or more, and those given up on because of a fault of
    ours (mail credentials refused): they wait for "send again"."""
    cutoff = (now or timezone.now()) - STUCK_AFTER
    unsent = Q(status__in=[EmailStatus.PENDING, EmailStatus.SENDING])
    return OutboxEmail.objects.filter(
        unsent & Q(attempts__gt=0, created_at__lt=cutoff)
        | Q(status=EmailStatus.FAILED, operator_fault=True)
    )


@dataclass(frozen=True)
class OperatorAlerts:
    stripe_events: int
    emails: int

    @property
    def any(self) -> bool:
        return bool(self.stripe_events or self.emails)


def operator_alerts() -> OperatorAlerts:
    now = timezone.now()
    return OperatorAlerts(
        stripe_events=stripe_events_stuck(now=now).count(),
        emails=emails_stuck(now=now).count(),
    )
