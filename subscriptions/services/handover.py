"""The outbox's "handed over" marks: which claimed emails reached the point of no return.

The sender marks a row just before it writes the end of the message to the SMTP server
(subscriptions/emails/smtp.py). A worker killed after that may have delivered the email,
one killed before it has not: the server discards a message whose end it never read. So
when a dead worker's claim times out, a marked row is recorded as sent and an unmarked one
is sent again.

The marks live in the cache (the Redis at REDIS_URL), not in PostgreSQL. A mark is paid
for on every email, and a Redis SET with its expiry took 0.06-0.09 ms against 0.25-0.35 ms
for a committed one-row UPDATE (3,000 of each, load average 4.5 on two cores), against some
2.6 ms for a whole plain smtplib send (360-400 a second). Through bench/emails.py (3,000
receipts; a machine shared with other work, so noisy) outbox/plain smtplib was, at load
3-7, 0.62-0.68 with Redis marks, 0.55-0.62 with an UPDATE per email and 0.32-0.63 with no
mark (three runs each); at load 2-6, 0.53-0.97 with Redis marks and 0.38-1.07 with no mark
(six runs each): no sign of the Redis mark's cost above the noise (bench/README.md). What
Redis gives up is durability: a mark lost with a Redis restart, or evicted under memory
pressure, means a resend, which is what happened before any mark existed.

A mark belongs to one claim (the row and its claimed_at), so it never speaks for a later
attempt at the same row, and it is deleted when the server refuses the message.
"""

import logging
import time

from django.core.cache import cache

from subscriptions.models import OutboxEmail

logger = logging.getLogger(__name__)

# Far longer than the claim timeout and the sweeper's minute: only a site whose workers
# or beat stay down for a day finds a mark gone, and sends that email again.
MARK_SECONDS = 24 * 3600
# After the cache failed, sends go unmarked this long instead of waiting on it each time.
STORE_RETRY_SECONDS = 30

_store_down_until = 0.0


def _key(email: OutboxEmail) -> str:
    # claimed_at reads back from PostgreSQL to the microsecond, in UTC, as it was written.
    return f"outbox:handed-over:{email.pk}:{email.claimed_at:%Y%m%d%H%M%S%f}"


def _store_failed(action: str, email_id: int) -> None:
    global _store_down_until
    _store_down_until = time.monotonic() + STORE_RETRY_SECONDS
    logger.warning(
        "Email %s: could not %s its handed-over mark; if its worker dies before recording "
        "it sent, it may be sent twice",
        email_id,
        action,
        exc_info=True,
    )


def handover_mark(email: OutboxEmail) -> None:
    """Record that this claim's message is about to be complete at the server. When the
    cache is away the email goes unmarked (a resend stays possible), never unsent."""
    if time.monotonic() < _store_down_until:
        return
    try:
        cache.set(_key(email), 1, MARK_SECONDS)
    except Exception:  # any cache backend's failure: the send goes on without a mark
        _store_failed("store", email.pk)


def handover_forget(email: OutboxEmail) -> None:
    """The server refused the message (or we never knew its answer): the mark no longer
    means delivered."""
    try:
        cache.delete(_key(email))
    except Exception:  # the mark, if any, is this claim's only and expires on its own
        _store_failed("delete", email.pk)


def handover_seen(email: OutboxEmail) -> bool:
    """Whether this claim's message was handed over; False when the cache cannot say (it
    is then sent again, as before marks existed)."""
    try:
        return bool(cache.get(_key(email)))
    except Exception:
        _store_failed("read", email.pk)
        return False
