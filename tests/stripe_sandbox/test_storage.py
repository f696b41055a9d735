"""The sandbox's SQLite file carries a schema version and is upgraded in place."""

import sqlite3
import subprocess
import sys
from pathlib import Path

import stripe

from stripe_sandbox.schema import SCHEMA_VERSION
from tests.sandbox_process import PROJECT_ROOT, SandboxProcess, free_port
from tests.stripe_sandbox.helpers import API_KEY, http

# Written by the sandbox as it was before schema versions (see the file's header).
OLD_FILE_DUMP = Path(__file__).with_name("data") / "sandbox_before_schema_versions.sql"
SUBSCRIPTION_ID = "sub_dFyIhXxrGFiLGsUu4Wocfrg8"
SESSION_ID = "cs_test_a1m27KrEda0wne8sSDksxyjgBgmtE4N42YNZwQV5h9hhK0bxbcWk6SeXro"


def schema_version(db_path: Path) -> int:
    with sqlite3.connect(db_path) as connection:
        return connection.execute("PRAGMA user_version").fetchone()[0]


def test_a_file_from_before_schema_versions_is_upgraded_and_keeps_serving(tmp_path):
    db_path = tmp_path / "stripe_sandbox.sqlite3"
    with sqlite3.connect(db_path) as connection:
        connection.executescript(OLD_FILE_DUMP.read_text())
    assert schema_version(db_path) == 0
    with SandboxProcess(db_path=db_path) as sandbox:
        client = stripe.StripeClient(API_KEY, base_addresses={"api": sandbox.url})
        subscription = client.v1.subscriptions.retrieve(
            SUBSCRIPTION_ID, params={"expand": ["customer", "latest_invoice.payments"]}
        )
        assert subscription.status == "active"
        assert subscription.customer.email == "reader@example.org"
        assert subscription.latest_invoice.payments.data[0].status == "paid"
        assert [s.id for s in client.v1.subscriptions.list().data] == [SUBSCRIPTION_ID]
        paid = client.v1.events.list(params={"type": "invoice.paid"}).data
        assert [event.data.object.id for event in paid] == [subscription.latest_invoice.id]
        price = subscription["items"].data[0].price
        by_product = client.v1.prices.list(params={"product": price.product}).data
        assert [p.id for p in by_product] == [price.id]
        assert sandbox.control("GET", "/_sandbox/clock")["offset_seconds"] == 3 * 86400
        [endpoint] = sandbox.control("GET", "/_sandbox/webhook_endpoints")["data"]
        assert endpoint["secret"] == "whsec_old_file"
        assert "already complete" in http("GET", f"{sandbox.url}/checkout/{SESSION_ID}").body

        # The renewal the old sandbox booked still runs when the clock passes it.
        sandbox.control("POST", "/_sandbox/clock/advance", {"days": 30})
        invoices = client.v1.invoices.list(params={"subscription": SUBSCRIPTION_ID}).data
        renewals = [i for i in invoices if i.billing_reason == "subscription_cycle"]
        assert renewals
        first_item = subscription["items"].data[0]
        assert (renewals[-1].period_start, renewals[-1].period_end) == (
            first_item.current_period_start,
            first_item.current_period_end,
        )
        assert client.v1.events.list(params={"type": "invoice.upcoming"}).data
    assert schema_version(db_path) == SCHEMA_VERSION
    with SandboxProcess(db_path=db_path) as reopened:
        client = stripe.StripeClient(API_KEY, base_addresses={"api": reopened.url})
        assert client.v1.subscriptions.retrieve(SUBSCRIPTION_ID).status == "active"


def test_a_fresh_file_carries_the_current_version(tmp_path):
    db_path = tmp_path / "fresh.sqlite3"
    with SandboxProcess(db_path=db_path):
        pass
    assert schema_version(db_path) == SCHEMA_VERSION


def test_a_file_from_a_newer_sandbox_is_refused_with_a_sentence(tmp_path):
    db_path = tmp_path / "newer.sqlite3"
    with sqlite3.connect(db_path) as connection:
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    result = subprocess.run(
        [sys.executable, "-m", "stripe_sandbox", "--port", str(free_port()), "--db", db_path],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )
    assert result.returncode == 1
    assert f"schema version {SCHEMA_VERSION + 1}" in result.stderr
    assert "newer sandbox" in result.stderr
    assert schema_version(db_path) == SCHEMA_VERSION + 1
