"""The sandbox as a process: persistence, loopback-only binding, generated shapes."""

import subprocess
import sys

import stripe

from tests.sandbox_process import PROJECT_ROOT, SandboxProcess
from tests.stripe_sandbox.conftest import API_KEY, http, subscribe
from tests.stripe_sandbox.stripe_shapes import SHAPES_PATH, render_shapes


def test_state_survives_a_restart(tmp_path):
    db_path = tmp_path / "sandbox.sqlite3"
    with SandboxProcess(db_path=db_path) as first:
        client = stripe.StripeClient(API_KEY, base_addresses={"api": first.url})
        session = subscribe(client)
        first.control("POST", "/_sandbox/clock/advance", {"days": 31})
        clock = first.control("GET", "/_sandbox/clock")["offset_seconds"]
    with SandboxProcess(db_path=db_path) as second:
        client = stripe.StripeClient(API_KEY, base_addresses={"api": second.url})
        subscription = client.v1.subscriptions.retrieve(session.subscription.id)
        assert subscription.status == "active"
        invoices = client.v1.invoices.list(params={"subscription": subscription.id}).data
        assert len(invoices) == 2
        assert second.control("GET", "/_sandbox/clock")["offset_seconds"] == clock
        page = http("GET", f"{second.url}/checkout/{session.id}")
        assert "already complete" in page.body


def test_refuses_to_bind_beyond_loopback():
    result = subprocess.run(
        # Asking for every interface is exactly what must be refused.
        [sys.executable, "-m", "stripe_sandbox", "--host", "0.0.0.0", "--db", ":memory:"],  # noqa: S104
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    assert result.returncode == 2
    assert "refusing to bind" in result.stderr
    assert "loopback" in result.stderr


def test_refuses_a_webhook_url_that_is_not_http():
    result = subprocess.run(
        [sys.executable, "-m", "stripe_sandbox", "--db", ":memory:", "--webhook-url", "file:///x"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    assert result.returncode == 2
    assert "--webhook-url" in result.stderr


def test_shapes_file_matches_the_installed_sdk():
    assert SHAPES_PATH.read_text() == render_shapes(), (
        "stripe-python changed: run `python tests/stripe_sandbox/stripe_shapes.py`"
    )
