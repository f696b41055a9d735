"""Fixed-window rate limits in the shared cache (Redis), against card testing and abuse."""

import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)


def client_ip(request) -> str:
    """The reader's address. Behind TRUSTED_PROXY_COUNT proxies, the address the outermost
    of them saw; entries further left in X-Forwarded-For are whatever the client sent, so
    trusting them would let anyone dodge the limits."""
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def rate_limit_hit(*, scope: str, key: str, limit: int, window_seconds: int = 3600) -> bool:
    """Count one attempt; answer True when this one is over the limit.

    When the cache is down we let the attempt through: readers must still be able to
    give during a Redis outage, and Stripe's own fraud screening still applies.
    """
    digest = hashlib.sha256(key.lower().encode()).hexdigest()[:32]
    window = int(time.time() // window_seconds)
    cache_key = f"ratelimit:{scope}:{digest}:{window}"
    try:
        cache.add(cache_key, 0, timeout=window_seconds + 5)
        count = cache.incr(cache_key)
    except Exception:
        logger.warning("Rate limit %s not counted: the cache is unreachable", scope, exc_info=True)
        return False
    return count > limit
