"""The sandbox as a process: persistence, loopback-only binding, generated shapes."""

import subprocess
import sys

import stripe

from stripe_sandbox.shapes import SHAPES_FILE
from stripe_sandbox.shapes.generate import render_shapes
from tests.sandbox_process import PROJECT_ROOT, SandboxProcess
from tests.stripe_sandbox.helpers import API_KEY, http, subscribe


def test_state_survives_a_restart(tmp_path):
    db_path = tmp_path / "sandbox.sqlite3"
    with SandboxProcess(db_path=db_path) as first:
        stripe_client = stripe.StripeClient(API_KEY, base_addresses={"api": first.url})
        session = subscribe(stripe_client)
        first.control("POST", "/_sandbox/clock/advance", {"days": 31})
        clock = first.control("GET", "/_sandbox/clock")["offset_seconds"]
    with SandboxProcess(db_path=db_path) as second:
        stripe_client = stripe.StripeClient(API_KEY, base_addresses={"api": second.url})
        subscription = stripe_client.v1.subscriptions.retrieve(session.subscription.id)
        assert subscription.status == "active"
        invoices = stripe_client.v1.invoices.list(params={"subscription": subscription.id}).data
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


def test_chaos_from_the_command_line_is_on_with_its_seed():
    with SandboxProcess(chaos_seed=42) as sandbox:
        chaos = sandbox.control("GET", "/_sandbox/chaos")
        assert (chaos["on"], chaos["seed"]) == (True, 42)
        assert "chaos on (seed 42)" in sandbox.stderr()


def test_shapes_file_is_what_the_generator_writes():
    assert SHAPES_FILE.read_text() == render_shapes(), (
        "stripe-python or the registry changed: run `python -m stripe_sandbox.shapes`"
    )
