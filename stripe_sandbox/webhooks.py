"""Webhook endpoints, Stripe-compatible signing, and asynchronous delivery.

Deliveries to each endpoint go out in order, unless chaos is on: then, as Stripe may, they
arrive shuffled (a random pick among the oldest `window` pending), duplicated (a share of
them is delivered twice) and late (a share waits a few seconds). A seed makes a run
repeatable as far as thread timing allows.
"""

import hashlib
import hmac
import json
import random
import sqlite3
import threading
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from typing import Any

from .ids import new_id
from .store import Store

BACKOFF_SECONDS = (1, 2, 4, 8, 16)
MAX_ATTEMPTS = len(BACKOFF_SECONDS) + 1
DELIVERY_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class Chaos:
    """How disorderly deliveries are; `Chaos()` is in order, once each, on time."""

    on: bool = False
    seed: int = 0
    window: int = 8
    duplicate_share: float = 0.3
    late_share: float = 0.2
    late_seconds: float = 2.0

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> "Chaos":
        on = params.get("on", True)
        on = on not in (False, "false", "off", "0", 0)
        try:
            chaos = cls(
                on=on,
                seed=int(params.get("seed") or 0),
                window=int(params.get("window") or cls.window),
                duplicate_share=float(params.get("duplicate_share", cls.duplicate_share)),
                late_share=float(params.get("late_share", cls.late_share)),
                late_seconds=float(params.get("late_seconds", cls.late_seconds)),
            )
        except (TypeError, ValueError):
            raise ValueError(
                "seed and window are integers; the shares and seconds numbers."
            ) from None
        shares = (chaos.duplicate_share, chaos.late_share)
        if chaos.window < 1 or not all(0 <= share <= 1 for share in shares):
            raise ValueError("window is at least 1; each share is between 0 and 1.")
        if not 0 <= chaos.late_seconds <= 60:
            raise ValueError("late_seconds is between 0 and 60.")
        return chaos


def signature_header(secret: str, payload: bytes, timestamp: int) -> str:
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class Dispatcher:
    def __init__(self, store: Store):
        self.store = store
        self.wakeup = threading.Condition()
        self.chaos = Chaos()
        self.rng = random.Random(0)  # noqa: S311 (delivery order, not secrecy)
        self.duplicated: set[int] = set()
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
        """The enabled endpoints that subscribe to this event type (or to `*`)."""
        rows = self.store.execute(
            "SELECT e.url, o.data FROM webhook_endpoints e LEFT JOIN objects o ON o.id = e.id "
            "ORDER BY e.created, e.url"
        ).fetchall()
        urls = []
        for url, data in rows:
            endpoint = json.loads(data) if data else {"enabled_events": ["*"], "status": "enabled"}
            enabled = endpoint["enabled_events"]
            if endpoint["status"] == "enabled" and ("*" in enabled or event_type in enabled):
                urls.append(url)
        return urls

    def move_endpoint(self, endpoint_id: str, url: str) -> None:
        self.store.execute("UPDATE webhook_endpoints SET url = ? WHERE id = ?", (url, endpoint_id))

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

    def chaos_set(self, chaos: Chaos) -> dict[str, Any]:
        with self.wakeup:
            self.chaos = chaos
            self.rng = random.Random(chaos.seed)  # noqa: S311 (delivery order, not secrecy)
            self.duplicated = set()
        return asdict(chaos)

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
        """The next delivery of each endpoint, if due: its oldest pending one, or under chaos
        a random one of its oldest `window` pending ones."""
        window = self.chaos.window if self.chaos.on else 1
        with self.store.lock:
            # Per endpoint, its oldest `window` pending rows: one short index walk each,
            # however long the queue (counting the older rows of every pending row was
            # quadratic: a 10,000-event backlog took 30 s a pass).
            urls = [url for (url,) in self.store.execute("SELECT url FROM webhook_endpoints")]
            rows = []
            for url in urls:
                rows += self.store.execute(
                    "SELECT q.id, q.event_id, q.endpoint_url, q.attempts, q.next_attempt_at, "
                    "e.secret, o.data, o.type FROM delivery_queue q "
                    "JOIN webhook_endpoints e ON e.url = q.endpoint_url "
                    "JOIN objects o ON o.id = q.event_id "
                    "WHERE q.state = 'pending' AND q.endpoint_url = ? "
                    "ORDER BY q.id LIMIT ?",
                    (url, window),
                ).fetchall()
            orphaned = self.store.execute(
                "UPDATE delivery_queue SET state = 'failed' WHERE state = 'pending' "
                "AND endpoint_url NOT IN (SELECT url FROM webhook_endpoints)"
            ).rowcount
        now = time.time()
        due_by_endpoint: dict[str, list[tuple[Any, ...]]] = {}
        for row in rows:
            if row[4] <= now:
                due_by_endpoint.setdefault(row[2], []).append(row)
        due = [self.rng.choice(candidates) for candidates in due_by_endpoint.values()]
        later = [row[4] for row in rows if row[4] > now]
        if orphaned:
            self.notify()
        return due, (min(later) - now if later else None)

    def disorder(self, queue_id: int, event_id: str, url: str) -> bool:
        """Under chaos, maybe hold this first attempt back a while, and maybe queue a second
        copy of it for later. True when it was held back (not delivered now)."""
        chaos = self.chaos
        if not chaos.on or queue_id in self.duplicated:
            return False
        self.duplicated.add(queue_id)
        if self.rng.random() < chaos.duplicate_share:
            copy_at = time.time() + self.rng.uniform(0, chaos.late_seconds)
            copy_id = self.store.execute(
                "INSERT INTO delivery_queue (event_id, endpoint_url, next_attempt_at, state) "
                "VALUES (?, ?, ?, 'pending')",
                (event_id, url, copy_at),
            ).lastrowid
            self.duplicated.add(copy_id)
        if self.rng.random() < chaos.late_share:
            late_at = time.time() + self.rng.uniform(0, chaos.late_seconds)
            self.store.execute(
                "UPDATE delivery_queue SET next_attempt_at = ? WHERE id = ?", (late_at, queue_id)
            )
            return True
        return False

    def run(self) -> None:
        while True:
            try:
                due, wait_for = self.due_deliveries()
            except sqlite3.Error:  # a reset mid-query: look again shortly
                due, wait_for = [], 0.1
            for row in due:
                if not self.disorder(row[0], row[1], row[2]):
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
