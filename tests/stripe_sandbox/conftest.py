"""Fixtures of the sandbox tests, on the suite's one sandbox process (tests/conftest.py)."""

from collections.abc import Iterator

import pytest
import stripe

from tests.sandbox_process import SandboxProcess
from tests.stripe_sandbox.helpers import API_KEY, WEBHOOK_SECRET, Receiver


@pytest.fixture
def sandbox(stripe_sandbox: SandboxProcess) -> SandboxProcess:
    """The suite's sandbox process, wiped clean for this test."""
    stripe_sandbox.control("POST", "/_sandbox/reset")
    return stripe_sandbox


@pytest.fixture
def stripe_client(sandbox: SandboxProcess) -> stripe.StripeClient:
    return stripe.StripeClient(API_KEY, base_addresses={"api": sandbox.url}, max_network_retries=0)


@pytest.fixture
def sdk_globals(sandbox: SandboxProcess) -> Iterator[None]:
    """The module-level SDK configuration, as the project's gateway uses it; restored after."""
    saved = stripe.api_base, stripe.api_key, stripe.max_network_retries
    stripe.api_base, stripe.api_key, stripe.max_network_retries = sandbox.url, API_KEY, 0
    yield
    stripe.api_base, stripe.api_key, stripe.max_network_retries = saved


@pytest.fixture
def receiver(sandbox: SandboxProcess) -> Iterator[Receiver]:
    receiver = Receiver()
    sandbox.control(
        "POST", "/_sandbox/webhook_endpoints", {"url": receiver.url, "secret": WEBHOOK_SECRET}
    )
    yield receiver
    receiver.close()
