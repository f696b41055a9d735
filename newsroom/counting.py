"""Appeal test counters: impressions and form starts in one Redis hash, moved into the
database by a beat job (`newsroom.appeal_counts_flush`).

Counting a page is one HINCRBY, one round trip to Redis and no SQL, so it works on pages
served from the page cache. It is best-effort: if Redis is down the page is served all the
same and that view is not counted (a warning is logged).

The flush never loses or doubles a count: it renames the live hash to a batch of its own
(atomic: new counts start a fresh hash) and notes the batch in a set, in one transaction;
the batch is added to the tallies in one database transaction that also records the
batch's name (unique); only then is the Redis copy deleted. A flush that dies anywhere is
finished by the next one, and a batch already recorded is deleted, not added again.
"""

import logging
import uuid
from collections import defaultdict
from typing import Any

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F

from .models import AppealTallyFlush, AppealVariant, AppealVariantTally

logger = logging.getLogger(__name__)

COUNTS_KEY = "newsroom:appeal-counts:v1"
BATCH_PREFIX = "newsroom:appeal-counts:v1:batch:"
PENDING_BATCHES_KEY = "newsroom:appeal-counts:v1:pending"
IMPRESSION = "i"
FORM_START = "s"
METRICS = {IMPRESSION: "impressions", FORM_START: "form_starts"}
# The support page's place among articles in the tallies.
SUPPORT_PAGE = 0


class CountingUnavailable(Exception):
    """The cache is not Redis: appeal tests cannot count."""


def _redis() -> Any:
    client_of = getattr(cache, "_cache", None)
    if client_of is None or not hasattr(client_of, "get_client"):
        raise CountingUnavailable("Appeal test counting needs the Redis cache.")
    return client_of.get_client(write=True)


def _key(name: str) -> str:
    return cache.make_key(name)


def appeal_count(*, variant_id: int, article_id: int, metric: str) -> bool:
    """Add one impression or form start; False when it could not be counted."""
    field = f"{variant_id}:{article_id}:{metric}"
    try:
        _redis().hincrby(_key(COUNTS_KEY), field, 1)
    except CountingUnavailable:
        return False  # `make run` without Redis: nothing to count with
    except Exception:
        logger.warning("Appeal test count not recorded (Redis unavailable)", exc_info=True)
        return False
    return True


def appeal_counts_flush() -> int:
    """Move every counted impression and form start into the tallies; answers how many
    counts were added (none when the cache is not Redis: nothing was counted)."""
    try:
        client = _redis()
    except CountingUnavailable:
        return 0
    batch = f"{BATCH_PREFIX}{uuid.uuid4().hex}"
    with client.pipeline(transaction=True) as pipe:
        pipe.exists(_key(COUNTS_KEY))
        pipe.renamenx(_key(COUNTS_KEY), _key(batch))
        pipe.sadd(_key(PENDING_BATCHES_KEY), batch)
        exists, _renamed, _added = pipe.execute(raise_on_error=False)
    if not exists:
        client.srem(_key(PENDING_BATCHES_KEY), batch)
    added = 0
    for pending in sorted(client.smembers(_key(PENDING_BATCHES_KEY))):
        name = pending.decode() if isinstance(pending, bytes) else pending
        added += _batch_apply(client, name)
    return added


def _batch_apply(client: Any, batch: str) -> int:
    raw = client.hgetall(_key(batch))
    counts = _parse(raw)
    added = 0
    try:
        with transaction.atomic():
            AppealTallyFlush.objects.create(batch=batch)
            added = _tallies_add(counts)
    except IntegrityError:
        # Recorded by an earlier flush (or one running now): its Redis copy only remains.
        added = 0
    with client.pipeline(transaction=True) as pipe:
        pipe.delete(_key(batch))
        pipe.srem(_key(PENDING_BATCHES_KEY), batch)
        pipe.execute()
    return added


def _parse(raw: dict[Any, Any]) -> dict[tuple[int, int], dict[str, int]]:
    counts: dict[tuple[int, int], dict[str, int]] = defaultdict(dict)
    for field, value in raw.items():
        text = field.decode() if isinstance(field, bytes) else str(field)
        parts = text.split(":")
        if len(parts) != 3 or parts[2] not in METRICS:
            continue
        try:
            variant_id, article_id, number = int(parts[0]), int(parts[1]), int(value)
        except ValueError:
            continue
        column = METRICS[parts[2]]
        counts[(variant_id, article_id)][column] = number
    return counts


def _tallies_add(counts: dict[tuple[int, int], dict[str, int]]) -> int:
    known = set(
        AppealVariant.objects.filter(pk__in={variant for variant, _ in counts}).values_list(
            "pk", flat=True
        )
    )
    added = 0
    for (variant_id, article_id), columns in sorted(counts.items()):
        if variant_id not in known:
            continue  # a variant deleted since: nothing to add it to
        increments = {column: F(column) + number for column, number in columns.items()}
        rows = AppealVariantTally.objects.filter(variant_id=variant_id, article_id=article_id)
        if not rows.update(**increments):
            try:
                with transaction.atomic():
                    AppealVariantTally.objects.create(
                        variant_id=variant_id, article_id=article_id, **columns
                    )
            except IntegrityError:
                rows.update(**increments)  # another flush made the row meanwhile
        added += sum(columns.values())
    return added
