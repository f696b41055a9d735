"""Rate limits see the reader's real address, and a spoofed header does not dodge them."""

from django.test import RequestFactory

from subscriptions.ratelimit import client_ip


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
