"""Fixed-window rate limits in the shared cache (Redis), against card testing and abuse."""

import hashlib
import ipaddress
import logging
import time

from django.conf import settings
from django.core.cache import cache
from ipware import get_client_ip

logger = logging.getLogger(__name__)


def client_ip(request) -> str:
    """The reader's address, as django-ipware finds it behind TRUSTED_PROXY_COUNT proxies.

    Each trusted proxy appends the address it saw to X-Forwarded-For, so the reader is the
    entry that many places from the right; entries further left are whatever the client
    sent, and trusting them would let anyone dodge the limits. Without proxies the header
    is ignored. A request that did not come through every proxy counts as its connection.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    remote_addr = request.META.get("REMOTE_ADDR", "")
    if not proxies:
        return remote_addr
    # ipware counts the hops listed after the reader; the last proxy is REMOTE_ADDR.
    address, _ = get_client_ip(
        request,
        proxy_count=proxies - 1,
        request_header_order=["HTTP_X_FORWARDED_FOR"],
        strict=False,
    )
    return address or remote_addr


def _limited_key(key: str) -> str:
    """What a limit counts: an IPv6 reader by its /64, since one subscriber line is
    given a whole /64 and could otherwise use a fresh address for every attempt."""
    try:
        address = ipaddress.ip_address(key)
    except ValueError:
        return key.lower()
    if address.version == 6 and address.ipv4_mapped:
        return str(address.ipv4_mapped)
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def rate_limit_hit(*, scope: str, key: str, limit: int, window_seconds: int = 3600) -> bool:
    """Count one attempt; answer True when this one is over the limit.

    When the cache is down we let the attempt through: readers must still be able to
    give during a Redis outage, and Stripe's own fraud screening still applies.
    """
    digest = hashlib.sha256(_limited_key(key).encode()).hexdigest()[:32]
    window = int(time.time() // window_seconds)
    cache_key = f"ratelimit:{scope}:{digest}:{window}"
    try:
        cache.add(cache_key, 0, timeout=window_seconds + 5)
        count = cache.incr(cache_key)
    except Exception:
        logger.warning("Rate limit %s not counted: the cache is unreachable", scope, exc_info=True)
        return False
    return count > limit
