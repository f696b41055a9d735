"""SQLite persistence: one row per object, indexed link columns, small side tables.

All access goes through one connection guarded by one re-entrant lock; each write touches only
the rows it changes.
"""

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

LINK_COLUMNS = (
    "customer",
    "subscription",
    "invoice",
    "charge",
    "payment_intent",
    "payout",
    "email",
    "kind",
    "status",
)

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS objects (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    {", ".join(f"{column} TEXT" for column in LINK_COLUMNS)},
    available_on INTEGER,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS objects_type ON objects (type, seq);
{
    "".join(
        f"CREATE INDEX IF NOT EXISTS objects_{column} ON objects ({column}, type, seq);"
        for column in LINK_COLUMNS
    )
}
CREATE INDEX IF NOT EXISTS objects_unswept ON objects (type, payout, available_on)
    WHERE payout IS NULL;
CREATE TABLE IF NOT EXISTS idempotency (
    api_key TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (api_key, key)
);
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    due_at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_due ON jobs (due_at, id);
CREATE INDEX IF NOT EXISTS jobs_subject ON jobs (subject, kind);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS webhook_endpoints (
    url TEXT PRIMARY KEY,
    id TEXT NOT NULL,
    secret TEXT NOT NULL,
    created INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS delivery_queue (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL,
    endpoint_url TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    state TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS delivery_queue_pending ON delivery_queue (state, id);
CREATE TABLE IF NOT EXISTS delivery_attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    endpoint_url TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    http_status INTEGER,
    error TEXT,
    attempted_at REAL NOT NULL
);
"""

# Stripe keeps an idempotency key's result for 24 hours; after that the key may be reused.
IDEMPOTENCY_LIFETIME = 24 * 60 * 60

TABLES = (
    "objects",
    "idempotency",
    "jobs",
    "meta",
    "webhook_endpoints",
    "delivery_queue",
    "delivery_attempts",
)


def derived_links(obj: dict[str, Any]) -> dict[str, Any]:
    links: dict[str, Any] = {}
    for column in ("customer", "subscription", "invoice", "charge", "payment_intent"):
        value = obj.get(column)
        if isinstance(value, str):
            links[column] = value
        elif isinstance(value, dict):
            links[column] = value.get("id")
    parent = obj.get("parent") or {}
    if obj.get("object") == "invoice" and parent.get("subscription_details"):
        links["subscription"] = parent["subscription_details"]["subscription"]
    if obj.get("object") == "customer":
        links["email"] = obj.get("email")
    if obj.get("object") in ("event", "balance_transaction"):
        links["kind"] = obj.get("type")
    if isinstance(obj.get("status"), str):
        links["status"] = obj["status"]
    return links


class Result:
    """A statement's rows and rowcount, read in full under the store's lock."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self.rows = cursor.fetchall()
        self.rowcount = cursor.rowcount

    def fetchall(self) -> list[Any]:
        return self.rows

    def fetchone(self) -> Any:
        return self.rows[0] if self.rows else None

    def __iter__(self) -> Iterator[Any]:
        return iter(self.rows)


class Store:
    def __init__(self, path: str):
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.lock = threading.RLock()
        self.connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute("PRAGMA synchronous=NORMAL")
        self.connection.executescript(SCHEMA)
        self._upgrade()
        self._depth = 0

    def _upgrade(self) -> None:
        """Bring a database written by an older sandbox up to this schema."""
        columns = {row[1] for row in self.connection.execute("PRAGMA table_info(idempotency)")}
        if "created" not in columns:  # keys stored before they expired count as expired
            self.connection.execute(
                "ALTER TABLE idempotency ADD COLUMN created INTEGER NOT NULL DEFAULT 0"
            )

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.lock:
            outermost = self._depth == 0
            if outermost:
                self.connection.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if outermost:
                    self.connection.execute("ROLLBACK")
                raise
            self._depth -= 1
            if outermost:
                self.connection.execute("COMMIT")

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> "Result":
        # Rows are fetched while the lock is held: the connection is shared between
        # threads, and a cursor read after another thread's statement would be corrupted.
        with self.lock:
            return Result(self.connection.execute(sql, params))

    # objects -----------------------------------------------------------------

    def get(self, object_id: str) -> dict[str, Any] | None:
        row = self.execute("SELECT data FROM objects WHERE id = ?", (object_id,)).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, obj: dict[str, Any], **links: Any) -> dict[str, Any]:
        values = derived_links(obj) | links
        columns = ["id", "type", "data", *values]
        params = (obj["id"], obj["object"], json.dumps(obj), *values.values())
        updates = ", ".join(f"{column} = excluded.{column}" for column in columns[2:])
        self.execute(
            f"INSERT INTO objects ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "  # noqa: S608 (column names are ours)
            f"ON CONFLICT(id) DO UPDATE SET {updates}",
            params,
        )
        return obj

    def page(
        self,
        object_type: str,
        *,
        filters: dict[str, str],
        exclude_status: str | None,
        limit: int,
        starting_after: str | None,
        ending_before: str | None,
    ) -> tuple[list[dict[str, Any]], bool]:
        where = ["type = ?"]
        params: list[Any] = [object_type]
        for column, value in filters.items():
            if column not in LINK_COLUMNS:
                raise ValueError(column)
            where.append(f"{column} = ?")
            params.append(value)
        if exclude_status:
            where.append("(status IS NULL OR status != ?)")
            params.append(exclude_status)
        order = "DESC"
        cursor_id = starting_after or ending_before
        if cursor_id:
            seq = self.execute("SELECT seq FROM objects WHERE id = ?", (cursor_id,)).fetchone()
            where.append("seq < ?" if starting_after else "seq > ?")
            params.append(seq[0] if seq else 0)
            order = "DESC" if starting_after else "ASC"
        rows = self.execute(
            f"SELECT data FROM objects WHERE {' AND '.join(where)} "  # noqa: S608 (fixed columns)
            f"ORDER BY seq {order} LIMIT ?",
            (*params, limit + 1),
        ).fetchall()
        has_more = len(rows) > limit
        objects = [json.loads(row[0]) for row in rows[:limit]]
        if order == "ASC":
            objects.reverse()
        return objects, has_more

    def unswept_balance(self, now: int) -> list[dict[str, Any]]:
        rows = self.execute(
            "SELECT data FROM objects WHERE type = 'balance_transaction' AND payout IS NULL "
            "AND available_on <= ? ORDER BY seq",
            (now,),
        ).fetchall()
        return [json.loads(row[0]) for row in rows]

    # idempotency -------------------------------------------------------------

    def idempotent_result(self, api_key: str, key: str, *, now: int) -> Any:
        """(fingerprint, status, body) stored for a key in the last 24 hours, or None."""
        return self.execute(
            "SELECT fingerprint, status, body FROM idempotency "
            "WHERE api_key = ? AND key = ? AND created > ?",
            (api_key, key, now - IDEMPOTENCY_LIFETIME),
        ).fetchone()

    def idempotent_record(
        self, api_key: str, key: str, fingerprint: str, status: int, body: str, *, now: int
    ) -> None:
        self.execute("DELETE FROM idempotency WHERE created <= ?", (now - IDEMPOTENCY_LIFETIME,))
        self.execute(
            "INSERT INTO idempotency (api_key, key, fingerprint, status, body, created) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (api_key, key, fingerprint, status, body, now),
        )

    # meta and jobs -----------------------------------------------------------

    def meta(self, key: str, default: str) -> str:
        row = self.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        self.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def schedule(self, due_at: int, kind: str, subject: str) -> None:
        self.execute(
            "INSERT INTO jobs (due_at, kind, subject) VALUES (?, ?, ?)", (due_at, kind, subject)
        )

    def unschedule(self, subject: str, kind: str | None = None) -> None:
        if kind:
            self.execute("DELETE FROM jobs WHERE subject = ? AND kind = ?", (subject, kind))
        else:
            self.execute("DELETE FROM jobs WHERE subject = ?", (subject,))

    def next_job(self, until: int) -> tuple[int, int, str, str] | None:
        return self.execute(
            "SELECT id, due_at, kind, subject FROM jobs WHERE due_at <= ? "
            "ORDER BY due_at, id LIMIT 1",
            (until,),
        ).fetchone()

    def delete_job(self, job_id: int) -> None:
        self.execute("DELETE FROM jobs WHERE id = ?", (job_id,))

    def wipe(self) -> None:
        with self.transaction():
            for table in TABLES:
                self.execute(f"DELETE FROM {table}")  # noqa: S608 (fixed table names)
