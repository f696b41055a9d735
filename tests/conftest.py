"""Fixtures shared by the whole suite: the Stripe sandbox, Celery, the live site."""

import time

import pytest
import stripe
from django.core.cache import cache

from tests.gifts import SANDBOX_API_KEY, WEBHOOK_SECRET, Site
from tests.hypothesis_profiles import hypothesis_profiles_load
from tests.sandbox_process import SandboxProcess

hypothesis_profiles_load()


@pytest.fixture(autouse=True)
def _webhook_secret(settings):
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    # Redis outlives each test's rolled-back transaction: no test sees another's pages.
    from newsroom.goals import PROGRESS_KEY
    from newsroom.page_cache import pages_invalidate

    pages_invalidate()
    cache.delete(PROGRESS_KEY)  # a goal's figure counted in another test


@pytest.fixture
def celery_eager():
    """Run tasks in-process, as soon as they are sent (after commit)."""
    from config.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = False
    yield app
    app.conf.task_always_eager = False


@pytest.fixture(scope="session")
def stripe_sandbox():
    """The suite's one sandbox process; each test that uses it resets it first."""
    with SandboxProcess() as process:
        yield process


@pytest.fixture
def stripe_settings(stripe_sandbox, settings):
    """The site talks to a fresh sandbox (no webhook endpoint: nothing is delivered)."""
    cache.clear()
    stripe_sandbox.control("POST", "/_sandbox/reset")
    settings.STRIPE_API_BASE = stripe_sandbox.url
    settings.STRIPE_SECRET_KEY = SANDBOX_API_KEY
    yield stripe_sandbox
    cache.clear()


@pytest.fixture
def site(live_server, stripe_settings, settings, celery_eager, client):
    """Our site on a live server, and a fresh sandbox that sends it webhooks."""
    stripe_settings.control(
        "POST",
        "/_sandbox/webhook_endpoints",
        {"url": f"{live_server.url}/stripe/webhook/", "secret": WEBHOOK_SECRET},
    )
    settings.SITE_URL = live_server.url
    yield Site(sandbox=stripe_settings, live_url=live_server.url, client=client)
    # No webhook may reach the live server while the test database is flushed: stop new
    # deliveries, then let one already on its way finish.
    stripe_settings.control("POST", "/_sandbox/reset")
    stripe_settings.control("POST", "/_sandbox/deliveries/wait", {"timeout": 10})
    # A delivery the sandbox stopped waiting for may still be processed by the live server
    # (a busy machine): let every other connection to the test database finish its work.
    _wait_until_other_connections_rest(seconds=20)


def _wait_until_other_connections_rest(*, seconds: float) -> None:
    from django.db import connection

    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND state <> 'idle'"
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.1)


@pytest.fixture
def stripe_api(stripe_sandbox):
    """Stripe's API as a dashboard user would use it (refunds and such), on the sandbox."""
    return stripe.StripeClient(
        SANDBOX_API_KEY, base_addresses={"api": stripe_sandbox.url}, max_network_retries=0
    )
