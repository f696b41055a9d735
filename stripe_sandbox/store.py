"""SQLite persistence: one row per object, indexed link columns, small side tables.

The link columns are those the registry's resources declare (see schema.py). All access goes
through one connection guarded by one re-entrant lock; each write touches only the rows it
changes.
"""

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .schema import TABLE_NAMES, open_schema

LinksOf = Callable[[dict[str, Any]], dict[str, Any]]

# Stripe keeps an idempotency key's result for 24 hours; after that the key may be reused.
IDEMPOTENCY_LIFETIME = 24 * 60 * 60


class Result:
    """A statement's rows and rowcount, read in full under the store's lock."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self.rows = cursor.fetchall()
        self.rowcount = cursor.rowcount
        self.lastrowid = cursor.lastrowid

    def fetchall(self) -> list[Any]:
        return self.rows

    def fetchone(self) -> Any:
        return self.rows[0] if self.rows else None

    def __iter__(self) -> Iterator[Any]:
        return iter(self.rows)


class Store:
    def __init__(self, path: str, *, link_names: tuple[str, ...], links_of: LinksOf):
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.lock = threading.RLock()
        self.link_names = frozenset(link_names)
        self.links_of = links_of
        self.connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute("PRAGMA synchronous=NORMAL")
        open_schema(self.connection, link_names=link_names, links_of=links_of)
        self._depth = 0

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
        """Insert or replace an object; `links` sets links the object does not carry itself."""
        unknown = set(links) - self.link_names - {"available_on"}
        if unknown:
            raise ValueError(f"undeclared link(s) {sorted(unknown)} for {obj['object']}")
        values = self.links_of(obj) | links
        columns = ["id", "object", "data", *values]
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
        created: dict[str, int] | None = None,
        exclude_status: str | None,
        limit: int,
        starting_after: str | None,
        ending_before: str | None,
    ) -> tuple[list[dict[str, Any]], bool]:
        where = ["object = ?"]
        params: list[Any] = [object_type]
        for column, value in filters.items():
            if column not in self.link_names:
                raise ValueError(column)
            where.append(f"{column} = ?")
            params.append(value)
        operators = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<=", "eq": "="}
        for bound, value in (created or {}).items():
            where.append(f"json_extract(data, '$.created') {operators[bound]} ?")
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
            "SELECT data FROM objects WHERE object = 'balance_transaction' AND payout IS NULL "
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
            for table in TABLE_NAMES:
                self.execute(f"DELETE FROM {table}")  # noqa: S608 (fixed table names)
