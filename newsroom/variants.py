"""Which appeal variant a reader sees while an appeal test runs.

A reader gets a random bucket (0..9999) in a first-party cookie, set only while a test
runs: nothing personal, just a number. The test's variants share the buckets by weight,
in a fixed order, so a reader keeps their variant for as long as the weights stay.

The running test is plain data in Redis, written afresh after every change to a test
commits (newsroom.signals), and remembered by each process for the page-cache generation
it was read under (such a change also moves the generation on): a warm page learns which
test runs without a query and without another round trip to Redis.
"""

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponseBase

from . import cache_keys
from .counting import IMPRESSION, appeal_count

BUCKET_COOKIE = "appeal_bucket"
BUCKETS = 10_000


@dataclass(frozen=True)
class VariantSlot:
    variant_id: int
    appeal_id: int
    weight: int


@dataclass(frozen=True)
class RunningTest:
    test_id: int
    # In variant id order: the order buckets are shared out in.
    slots: tuple[VariantSlot, ...]

    def slot_for(self, bucket: int) -> VariantSlot:
        """Deterministic: the same bucket gets the same variant while the weights stay."""
        total = sum(slot.weight for slot in self.slots)
        point = bucket * total // BUCKETS
        for slot in self.slots:
            if point < slot.weight:
                return slot
            point -= slot.weight
        return self.slots[-1]

    def slot(self, variant_id: int) -> VariantSlot | None:
        return next((slot for slot in self.slots if slot.variant_id == variant_id), None)


@dataclass(frozen=True)
class Assignment:
    """The variant one request shows; `new_bucket` when the response must set the cookie."""

    slot: VariantSlot
    bucket: int
    new_bucket: bool


@dataclass(frozen=True)
class _Known:
    generation: str
    running: RunningTest | None


_last_known: _Known | None = None


def last_known() -> _Known | None:
    return _last_known


def running_test_for(generation: str) -> RunningTest | None:
    """The running test as of this page-cache generation: from this process's memory,
    else Redis, else (Redis was emptied) the database."""
    global _last_known
    known = _last_known
    if known is not None and known.generation == generation:
        return known.running
    stored = cache.get(cache_keys.RUNNING_TEST)
    if stored is None:
        running = running_test_from_db()
        # add, not set: a change that commits meanwhile publishes, and its word stands.
        # A tuple, so "no test runs" is stored too (None would read as a miss).
        cache.add(cache_keys.RUNNING_TEST, (running,), cache_keys.CACHE_SECONDS)
    else:
        (running,) = stored
    _last_known = _Known(generation=generation, running=running)
    return running


def running_test_publish() -> None:
    """After a test or its variants changed (and committed): tell every process."""
    cache.set(cache_keys.RUNNING_TEST, (running_test_from_db(),), cache_keys.CACHE_SECONDS)


def running_test_current() -> RunningTest | None:
    """For code outside the page cache (a posted form, a staff request)."""
    from .page_cache import GENERATION_KEY, _current_generation

    return running_test_for(_current_generation(cache.get(GENERATION_KEY)))


def running_test_from_db() -> RunningTest | None:
    from .models import AppealTest, AppealVariant

    test = AppealTest.objects.filter(status=AppealTest.Status.RUNNING).first()
    if test is None:
        return None
    slots = tuple(
        VariantSlot(variant_id=pk, appeal_id=appeal_id, weight=weight)
        for pk, appeal_id, weight in AppealVariant.objects.filter(test=test)
        .order_by("id")
        .values_list("pk", "appeal_id", "weight")
    )
    return RunningTest(test_id=test.pk, slots=slots) if slots else None


def bucket_from(request: HttpRequest) -> int | None:
    value = request.COOKIES.get(BUCKET_COOKIE, "")
    if not value.isascii() or not value.isdigit() or len(value) > 4:
        return None
    return int(value)


def assign(request: HttpRequest, running: RunningTest | None) -> Assignment | None:
    """The reader's variant (and a bucket for a new reader), or None when no test runs."""
    if running is None:
        return None
    bucket = bucket_from(request)
    new_bucket = bucket is None
    if bucket is None:
        bucket = secrets.randbelow(BUCKETS)
    return Assignment(slot=running.slot_for(bucket), bucket=bucket, new_bucket=new_bucket)


def bucket_cookie_set(
    request: HttpRequest, response: HttpResponseBase, assignment: Assignment
) -> None:
    response.set_cookie(
        BUCKET_COOKIE,
        str(assignment.bucket),
        max_age=settings.APPEAL_BUCKET_COOKIE_MAX_AGE,
        secure=request.is_secure(),
        httponly=True,
        samesite="Lax",
    )


def tested_page_served(
    request: HttpRequest,
    response: HttpResponseBase,
    assignment: Assignment,
    *,
    appeal_page: int | None,
) -> None:
    """A page showing a test variant went out: a new reader's bucket cookie, and (for a
    page shown, not a 304 or a HEAD) one impression of the variant on that page."""
    if response.status_code not in (200, 304):
        return
    if assignment.new_bucket:
        bucket_cookie_set(request, response, assignment)
    if request.method == "GET" and response.status_code == 200 and appeal_page is not None:
        appeal_count(
            variant_id=assignment.slot.variant_id, article_id=appeal_page, metric=IMPRESSION
        )


def request_assignment(request: HttpRequest) -> Assignment | None:
    """What the page cache decided for this request; for a request it did not handle (a
    post, a staff member), the reader's own bucket, without giving out a new one."""
    if hasattr(request, "appeal_assignment"):
        decided: Assignment | None = request.appeal_assignment
        return decided
    bucket = bucket_from(request)
    if bucket is None:
        return None
    running = running_test_current()
    if running is None:
        return None
    return Assignment(slot=running.slot_for(bucket), bucket=bucket, new_bucket=False)
