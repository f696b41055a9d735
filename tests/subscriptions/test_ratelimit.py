"""Rate limits see the reader's real address, and a spoofed header does not dodge them."""

import secrets
import uuid

import pytest
from django.test import RequestFactory

from subscriptions.ratelimit import client_ip, rate_limit_hit


def _request(remote: str, forwarded: str = ""):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return RequestFactory().post("/support/", REMOTE_ADDR=remote, **extra)


def test_without_proxies_the_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0

    assert client_ip(_request("203.0.113.9", forwarded="198.51.100.1")) == "203.0.113.9"


def test_behind_one_proxy_the_address_it_saw_counts_not_what_the_client_claimed(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client sent "X-Forwarded-For: 1.2.3.4"; the proxy appended the real address.
    request = _request("10.0.0.2", forwarded="1.2.3.4, 203.0.113.9")

    assert client_ip(request) == "203.0.113.9"


def test_a_missing_header_behind_a_proxy_falls_back_to_the_connection(settings):
    settings.TRUSTED_PROXY_COUNT = 2

    assert client_ip(_request("10.0.0.2", forwarded="203.0.113.9")) == "10.0.0.2"


def test_behind_two_proxies_the_address_the_outer_one_saw_counts(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    # Client claims 1.2.3.4; the CDN appends the reader, the load balancer appends the CDN.
    request = _request("10.0.0.2", forwarded="1.2.3.4, 203.0.113.9, 198.51.100.7")

    assert client_ip(request) == "203.0.113.9"


def test_behind_one_proxy_an_ipv6_reader_is_found(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    assert client_ip(_request("10.0.0.2", forwarded="2001:db8:1:2::42")) == "2001:db8:1:2::42"


def _hits_until_refused(keys: list[str], *, scope: str, limit: int) -> list[bool]:
    return [rate_limit_hit(scope=scope, key=key, limit=limit) for key in keys]


def test_ipv6_readers_are_limited_per_64_not_per_address():
    scope = f"test-ipv6-{uuid.uuid4().hex}"
    same_line = [f"2001:db8:1:2::{n:x}" for n in range(1, 4)]  # one /64, three addresses

    assert _hits_until_refused(same_line, scope=scope, limit=2) == [False, False, True]
    # The neighbouring /64 is somebody else and has its own allowance.
    assert rate_limit_hit(scope=scope, key="2001:db8:1:3::1", limit=2) is False


def test_ipv4_readers_keep_a_limit_each():
    scope = f"test-ipv4-{uuid.uuid4().hex}"

    assert _hits_until_refused(["203.0.113.1", "203.0.113.2"], scope=scope, limit=1) == [
        False,
        False,
    ]
    # The same reader seen as an IPv4-mapped IPv6 address is still that reader.
    assert rate_limit_hit(scope=scope, key="::ffff:203.0.113.1", limit=1) is True


@pytest.mark.django_db
def test_a_reader_hopping_addresses_inside_one_ipv6_64_is_still_limited(client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.MANAGE_LINK_RATE_LIMIT_PER_IP = 2
    prefix = "2001:db8:{:x}:{:x}".format(*(secrets.randbelow(0xFFFF) for _ in range(2)))

    statuses = [
        client.post(
            "/support/manage/",
            {"email": f"reader{n}@example.org"},
            REMOTE_ADDR=f"{prefix}:{n:x}::{n + 1:x}",
        ).status_code
        for n in range(3)
    ]

    assert statuses == [200, 200, 429]
