"""What the property tests observe, and the bad input they generate.

Two observations: what exists at Stripe (listed from the sandbox over HTTP, as a
dashboard would see it) and how many rows our database holds. An input the site refuses
must leave both exactly as they were.
"""

import json
import urllib.parse
import urllib.request
from typing import Any

from django.core.cache import cache
from hypothesis import strategies as st

from subscriptions.models import (
    Contribution,
    OutboxEmail,
    Payment,
    StripeEvent,
    Supporter,
)
from tests.gifts import SANDBOX_API_KEY
from tests.sandbox_process import SandboxProcess

# Objects whose creation is a call to Stripe; every change to the others is an event.
_CREATED_AT_STRIPE = ("checkout/sessions", "billing_portal/sessions", "events", "customers")


def sandbox_get(sandbox: SandboxProcess, resource: str, **params: str) -> dict:
    """GET /v1/<resource> at the sandbox, as any Stripe client would."""
    request = urllib.request.Request(
        f"{sandbox.url}/v1/{resource}?{urllib.parse.urlencode(params)}",
        headers={"Authorization": f"Bearer {SANDBOX_API_KEY}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def stripe_footprint(sandbox: SandboxProcess) -> dict[str, Any]:
    """What our site could have made or changed at Stripe, as the sandbox lists it: the
    newest object of each kind it creates (lists are newest first), and every subscription
    in full."""
    footprint: dict[str, Any] = {
        resource: [obj["id"] for obj in sandbox_get(sandbox, resource, limit="1")["data"]]
        for resource in _CREATED_AT_STRIPE
    }
    subscriptions = sandbox_get(sandbox, "subscriptions", status="all", limit="100")
    assert not subscriptions["has_more"], "more subscriptions than these tests ever make"
    footprint["subscriptions"] = subscriptions["data"]
    return footprint


def row_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (StripeEvent, Contribution, Supporter, Payment, OutboxEmail)
    }


def forget_rate_limits() -> None:
    """Each example is a new visitor: the per-IP limits must not turn answers into 429s.

    The suite's Redis database is this test run's own (REDIS_URL), so clearing it is safe.
    """
    cache.clear()


def assert_not_a_server_error(response) -> None:
    assert response.status_code < 500, (
        f"{response.status_code} for generated input:\n{response.content.decode(errors='replace')}"
    )


# Text a person (or a bot) could type or paste: any printable character, control
# characters and NUL included; surrogates cannot be sent over HTTP at all.
any_text = st.text(max_size=60)
# Numbers as text in the shapes readers write them, most of them out of range or malformed.
number_like = st.one_of(
    st.integers(min_value=-(10**15), max_value=10**15).map(str),
    st.decimals(allow_nan=True, allow_infinity=True, places=None).map(str),
    st.floats().map(str),
    st.from_regex(r"\A[-+]?[0-9 ,.\u00a0]{0,20}\Z"),
    st.from_regex(r"\A[0-9]{1,6}[.,][0-9]{3,12}\Z"),
    st.sampled_from(["", " ", "0", "1.999", "1,99", "10000.01", "1e3", "0x10", "5 EUR", "€5"]),
)
