"""Webhook endpoints, Stripe-compatible signing, and asynchronous, ordered delivery."""

import hashlib
import hmac
import sqlite3
import threading
import time
import urllib.error
import urllib.request
from typing import Any

from .ids import new_id
from .store import Store

BACKOFF_SECONDS = (1, 2, 4, 8, 16)
MAX_ATTEMPTS = len(BACKOFF_SECONDS) + 1
DELIVERY_TIMEOUT_SECONDS = 10


def signature_header(secret: str, payload: bytes, timestamp: int) -> str:
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class Dispatcher:
    def __init__(self, store: Store):
        self.store = store
        self.wakeup = threading.Condition()
        self.thread = threading.Thread(target=self.run, name="webhook-dispatcher", daemon=True)

    def start(self) -> None:
        self.thread.start()

    # endpoints ---------------------------------------------------------------

    def upsert_endpoint(self, url: str, secret: str | None) -> dict[str, Any]:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"webhook url must be http(s): {url!r}")
        existing = self.store.execute(
            "SELECT id, secret, created FROM webhook_endpoints WHERE url = ?", (url,)
        ).fetchone()
        endpoint_id = existing[0] if existing else new_id("we_")
        secret = secret or (existing[1] if existing else new_id("whsec_", 32))
        created = existing[2] if existing else int(time.time())
        self.store.execute(
            "INSERT INTO webhook_endpoints (url, id, secret, created) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(url) DO UPDATE SET secret = excluded.secret",
            (url, endpoint_id, secret, created),
        )
        return {"id": endpoint_id, "url": url, "secret": secret, "created": created}

    def endpoints(self) -> list[dict[str, Any]]:
        rows = self.store.execute(
            "SELECT id, url, secret, created FROM webhook_endpoints ORDER BY created, url"
        ).fetchall()
        return [dict(zip(("id", "url", "secret", "created"), row, strict=True)) for row in rows]

    def endpoints_for(self, event_type: str) -> list[str]:
        return [row[0] for row in self.store.execute("SELECT url FROM webhook_endpoints")]

    def delete_endpoint(self, endpoint_id: str) -> bool:
        cursor = self.store.execute("DELETE FROM webhook_endpoints WHERE id = ?", (endpoint_id,))
        return cursor.rowcount > 0

    # queue -------------------------------------------------------------------

    def enqueue(self, event: dict[str, Any], endpoint_urls: list[str]) -> None:
        for url in endpoint_urls:
            self.store.execute(
                "INSERT INTO delivery_queue (event_id, endpoint_url, next_attempt_at, state) "
                "VALUES (?, ?, ?, 'pending')",
                (event["id"], url, time.time()),
            )

    def notify(self) -> None:
        with self.wakeup:
            self.wakeup.notify_all()

    def counts(self) -> dict[str, int]:
        rows = self.store.execute("SELECT state, COUNT(*) FROM delivery_queue GROUP BY state")
        counts = {"pending": 0, "delivered": 0, "failed": 0}
        counts.update(dict(rows.fetchall()))
        return counts

    def wait_idle(self, timeout: float) -> dict[str, int]:
        deadline = time.monotonic() + timeout
        with self.wakeup:
            while self.counts()["pending"] and time.monotonic() < deadline:
                self.wakeup.notify_all()
                self.wakeup.wait(min(0.05, max(0.0, deadline - time.monotonic())))
        return self.counts()

    def attempts(self, limit: int) -> list[dict[str, Any]]:
        rows = self.store.execute(
            "SELECT event_id, event_type, endpoint_url, attempt, http_status, error, attempted_at "
            "FROM delivery_attempts ORDER BY id DESC LIMIT ?",
            (limit,),
        ).fetchall()
        keys = ("event_id", "event_type", "endpoint_url", "attempt", "status", "error", "time")
        return [dict(zip(keys, row, strict=True)) for row in rows]

    # delivery loop -----------------------------------------------------------

    def due_deliveries(self) -> tuple[list[tuple[Any, ...]], float | None]:
        """The oldest pending delivery of each endpoint, if due, to keep per-endpoint order."""
        with self.store.lock:
            rows = self.store.execute(
                "SELECT q.id, q.event_id, q.endpoint_url, q.attempts, q.next_attempt_at, "
                "e.secret, o.data, o.type FROM delivery_queue q "
                "JOIN webhook_endpoints e ON e.url = q.endpoint_url "
                "JOIN objects o ON o.id = q.event_id "
                "WHERE q.state = 'pending' AND q.id IN (SELECT MIN(id) FROM delivery_queue "
                "WHERE state = 'pending' GROUP BY endpoint_url)"
            ).fetchall()
            orphaned = self.store.execute(
                "UPDATE delivery_queue SET state = 'failed' WHERE state = 'pending' "
                "AND endpoint_url NOT IN (SELECT url FROM webhook_endpoints)"
            ).rowcount
        now = time.time()
        due = [row for row in rows if row[4] <= now]
        later = [row[4] for row in rows if row[4] > now]
        if orphaned:
            self.notify()
        return due, (min(later) - now if later else None)

    def run(self) -> None:
        while True:
            try:
                due, wait_for = self.due_deliveries()
            except sqlite3.Error:  # a reset mid-query: look again shortly
                due, wait_for = [], 0.1
            for row in due:
                self.deliver(*row)
            if not due:
                with self.wakeup:
                    self.wakeup.wait(timeout=wait_for if wait_for is not None else 1.0)

    def deliver(
        self,
        queue_id: int,
        event_id: str,
        url: str,
        attempts: int,
        _next_at: float,
        secret: str,
        body: str,
        event_type: str,
    ) -> None:
        payload = body.encode()
        header = signature_header(secret, payload, int(time.time()))
        # Only http(s) URLs reach the queue (checked when an endpoint is saved).
        request = urllib.request.Request(  # noqa: S310
            url,
            data=payload,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Stripe-Signature": header,
                "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
            },
        )
        status: int | None = None
        error: str | None = None
        try:
            # Endpoints are the operator's own (loopback in practice), configured explicitly.
            with urllib.request.urlopen(request, timeout=DELIVERY_TIMEOUT_SECONDS) as response:  # noqa: S310
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except (OSError, ValueError) as exc:
            error = str(exc)
        attempt = attempts + 1
        delivered = status is not None and 200 <= status < 300
        if delivered:
            state, next_at = "delivered", time.time()
        elif attempt >= MAX_ATTEMPTS:
            state, next_at = "failed", time.time()
        else:
            state, next_at = "pending", time.time() + BACKOFF_SECONDS[attempt - 1]
        with self.store.transaction():
            queued = self.store.execute(
                "UPDATE delivery_queue SET attempts = ?, state = ?, next_attempt_at = ? "
                "WHERE id = ?",
                (attempt, state, next_at, queue_id),
            ).rowcount
            # A reset while the request was on its way wiped the queue: log nothing of it.
            if queued:
                self.store.execute(
                    "INSERT INTO delivery_attempts (event_id, event_type, endpoint_url, "
                    "attempt, http_status, error, attempted_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (event_id, event_type, url, attempt, status, error, time.time()),
                )
        self.notify()
