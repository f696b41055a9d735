"""Progress towards the running campaign goal, counted from our records.

A beat job (newsroom.goal_progress_refresh, every minute) counts and keeps the figure in
Redis; pages read it from there, never from the database. When the figure moves, every
cached page is made stale, so no page shows a figure more than a minute old.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.db.models import Min, Sum
from django.utils import timezone

from subscriptions.models import Contribution, Payment
from subscriptions.money import currency_decimals
from subscriptions.pledges import Frequency

from .models import CampaignGoal, GoalKind
from .page_cache import pages_invalidate

PROGRESS_KEY = "newsroom:goal-progress:v1"
# The beat job rewrites it every minute; without beat, pages count again this often.
PROGRESS_SECONDS = 5 * 60
NO_GOAL = "none"


@dataclass(frozen=True)
class GoalProgress:
    kind: str
    # Supporters, or minor units of `currency`.
    current: int
    target: int
    currency: str
    ends_at: datetime

    @property
    def percent(self) -> int:
        return min(100, self.current * 100 // self.target)

    @property
    def shown(self) -> int:
        """What the bar fills to: a goal passed shows full, not beyond."""
        return min(self.current, self.target)


def goal_running(*, now: datetime | None = None) -> CampaignGoal | None:
    """The goal whose dates include now; of overlapping ones, the one started last."""
    now = now or timezone.now()
    return (
        CampaignGoal.objects.filter(starts_at__lte=now, ends_at__gt=now)
        .order_by("-starts_at", "-id")
        .first()
    )


def goal_progress_compute() -> GoalProgress | None:
    now = timezone.now()
    goal = goal_running(now=now)
    if goal is None:
        return None
    if goal.kind == GoalKind.AMOUNT:
        given = (
            Payment.objects.filter(
                currency=goal.currency, paid_at__gte=goal.starts_at, paid_at__lt=goal.ends_at
            )
            .aggregate(total=Sum("amount") - Sum("amount_refunded"))
            .get("total")
        )
        scale = 10 ** currency_decimals(goal.currency)
        return GoalProgress(
            kind=goal.kind,
            current=max(0, given or 0),
            target=goal.target * scale,
            currency=goal.currency,
            ends_at=goal.ends_at,
        )
    # A new monthly supporter: their monthly plan's first payment fell within the goal.
    supporters = (
        Contribution.objects.filter(frequency=Frequency.MONTH, supporter__isnull=False)
        .annotate(first_paid=Min("payments__paid_at"))
        .filter(first_paid__gte=goal.starts_at, first_paid__lt=goal.ends_at)
        .values("supporter_id")
        .distinct()
        .count()
    )
    return GoalProgress(
        kind=goal.kind, current=supporters, target=goal.target, currency="", ends_at=goal.ends_at
    )


def goal_progress_get() -> GoalProgress | None:
    """The figure for a page: from Redis; counted (and kept) only when Redis has none."""
    stored = cache.get(PROGRESS_KEY)
    if stored is None:
        progress = goal_progress_compute()
        cache.set(PROGRESS_KEY, progress or NO_GOAL, PROGRESS_SECONDS)
        return progress
    return None if stored == NO_GOAL else stored


def goal_progress_refresh() -> bool:
    """Count again; when the figure (or the goal shown) changed, pages show the new one
    from the next request. True when it changed."""
    progress = goal_progress_compute()
    stored = cache.get(PROGRESS_KEY)
    cache.set(PROGRESS_KEY, progress or NO_GOAL, PROGRESS_SECONDS)
    changed = stored != (progress or NO_GOAL)
    if changed:
        pages_invalidate()
    return changed
