"""Who is reading: the small state a browser with the supporter cookie is shown.

The cookie names a contribution (its public id). What that browser sees follows the
supporter's current record: a running plan is thanked, a failed payment gets a note with
the way to update the card, a one-time gift rests the appeal for 90 days and then asks for
a monthly gift. The state is a word, never personal data, so the page cache can keep one
shared entry per state.

Redis holds the state per cookie value. Whenever a supporter's contribution or payment is
saved (webhooks, staff, the manage page), the state is written again for every contribution
of theirs, after commit; a cookie Redis does not know (Redis emptied, an old browser) is
looked up in the database once and remembered.
"""

import threading
import time
import uuid
from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone

from .models import Contribution, Payment, Supporter, SupporterState
from .pledges import Frequency
from .signing import SUPPORTER_COOKIE, SUPPORTER_COOKIE_SALT

APPEAL = "appeal"
THANK_YOU = "thank-you"
GAVE_ONCE_RECENTLY = "gave-once-recently"
SUGGEST_MONTHLY = "suggest-monthly"
PAYMENT_FAILED = "payment-failed"
READER_STATES = (APPEAL, THANK_YOU, GAVE_ONCE_RECENTLY, SUGGEST_MONTHLY, PAYMENT_FAILED)

# How long a one-time gift keeps the appeal away.
APPEAL_REST_AFTER_ONE_TIME_GIFT = timedelta(days=90)
# Redis keeps a state this long at most (a day); the database answers after that.
STATE_SECONDS = 60 * 60 * 24
KEY_PREFIX = "subscriptions:reader-state:v1"
REQUEST_ATTRIBUTE = "_reader_state"


def _key(public_id: str) -> str:
    return f"{KEY_PREFIX}:{public_id}"


def reader_state_for_request(request: HttpRequest) -> str:
    """The state for this browser: APPEAL without a valid supporter cookie."""
    known = getattr(request, REQUEST_ATTRIBUTE, None)
    if known is not None:
        return known
    state = APPEAL
    if SUPPORTER_COOKIE in request.COOKIES:
        public_id = request.get_signed_cookie(
            SUPPORTER_COOKIE, default=None, salt=SUPPORTER_COOKIE_SALT
        )
        if public_id:
            state = reader_state_for_cookie(public_id)
    setattr(request, REQUEST_ATTRIBUTE, state)
    return state


def reader_state_for_cookie(public_id: str) -> str:
    """One Redis read; the database only when Redis does not know this cookie."""
    state = cache.get(_key(public_id))
    if state is not None:
        return state
    supporter_id = _supporter_for(public_id)
    if supporter_id is None:
        # Only we sign the cookie, after a gift went through: the gift's row has gone
        # (erased, or made elsewhere), but this browser did give.
        state, seconds = THANK_YOU, STATE_SECONDS
    else:
        state, seconds = reader_state_compute(supporter_id=supporter_id)
    # `add`, not `set`: a change committed while we read wrote the newer state; keep it.
    cache.add(_key(public_id), state, seconds)
    return state


def _supporter_for(public_id: str) -> int | None:
    try:
        parsed = uuid.UUID(public_id)
    except ValueError:
        return None
    return (
        Contribution.objects.filter(public_id=parsed, supporter__isnull=False)
        .values_list("supporter_id", flat=True)
        .first()
    )


def reader_state_compute(*, supporter_id: int) -> tuple[str, int]:
    """The supporter's state from their records, and for how many seconds it holds."""
    state = Supporter.objects.filter(pk=supporter_id).values_list("state", flat=True).first()
    if state == SupporterState.ACTIVE:
        return THANK_YOU, STATE_SECONDS
    if state == SupporterState.PAST_DUE:
        return PAYMENT_FAILED, STATE_SECONDS
    last_gift = Payment.objects.filter(
        supporter_id=supporter_id, contribution__frequency=Frequency.ONCE
    ).aggregate(last=Max("paid_at"))["last"]
    if last_gift is None:
        return APPEAL, STATE_SECONDS
    rest_ends = last_gift + APPEAL_REST_AFTER_ONE_TIME_GIFT
    remaining = (rest_ends - timezone.now()).total_seconds()
    if remaining > 0:
        # Held no longer than the rest lasts: the next read asks for a monthly gift.
        return GAVE_ONCE_RECENTLY, max(1, min(STATE_SECONDS, int(remaining) + 1))
    return SUGGEST_MONTHLY, STATE_SECONDS


def reader_state_refresh(*, supporter_id: int) -> str:
    """Write the supporter's current state for every cookie that can name them."""
    state, seconds = reader_state_compute(supporter_id=supporter_id)
    public_ids = Contribution.objects.filter(supporter_id=supporter_id).values_list(
        "public_id", flat=True
    )
    cache.set_many({_key(str(public_id)): state for public_id in public_ids}, seconds)
    return state


def reader_state_on_save(sender: type, instance: Contribution | Payment, **kwargs: Any) -> None:
    """post_save of Contribution and Payment: once the change is committed, the pages this
    supporter's browsers are shown follow it."""
    supporter_id = instance.supporter_id
    if supporter_id is not None:
        saved = time.monotonic_ns()
        transaction.on_commit(lambda: _refresh_unless_done_since(supporter_id, saved))


# Per thread (one connection each): the supporter whose state was last written, and when the
# writing began.
_last_refresh = threading.local()


def _refresh_unless_done_since(supporter_id: int, saved: int) -> None:
    """Refresh after a commit, unless this thread has already refreshed this supporter since
    the save: a thread's callbacks run once its transaction has committed, so a refresh that
    began after the save read the saved rows. A paid renewal saves the plan and the payment
    four times in one transaction; its state is written once, not four times."""
    if getattr(_last_refresh, "value", None) is not None:
        last_supporter, began = _last_refresh.value
        if last_supporter == supporter_id and began > saved:
            return
    began = time.monotonic_ns()
    reader_state_refresh(supporter_id=supporter_id)
    _last_refresh.value = (supporter_id, began)
