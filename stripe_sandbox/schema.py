"""The SQLite file's layout, its version (`PRAGMA user_version`) and in-place upgrades.

Version 1 is the layout before versions were recorded (user_version 0 with tables present).
Link columns are not part of a version: they follow the registry, and a column a resource
declares that the file lacks is added and filled from the stored objects when the file opens.
"""

import json
import sqlite3
from collections.abc import Callable
from typing import Any

SCHEMA_VERSION = 3

TABLES = """
CREATE TABLE IF NOT EXISTS objects (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    object TEXT NOT NULL,
    available_on INTEGER,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS objects_by_object ON objects (object, seq);
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
TABLE_NAMES = (
    "objects",
    "idempotency",
    "jobs",
    "meta",
    "webhook_endpoints",
    "delivery_queue",
    "delivery_attempts",
)
# Version 1 named clock jobs without their resource.
V1_JOB_KINDS = {
    "renew": "subscription.renew",
    "upcoming": "subscription.upcoming",
    "retry": "invoice.retry",
    "expire_session": "checkout.session.expire",
}
V1_INDEXES = (
    "objects_type",
    "objects_unswept",
    *(
        f"objects_{column}"
        for column in (
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
    ),
)


class SchemaTooNew(Exception):
    def __init__(self, found: int):
        super().__init__(
            f"This sandbox database has schema version {found}, written by a newer sandbox; "
            f"this one reads versions up to {SCHEMA_VERSION}. Run the newer sandbox, or start "
            "with a fresh file (--db)."
        )


def upgrade_from_1(connection: sqlite3.Connection) -> None:
    """Name the object type `object` so that `type` can be the link of events and balance
    transactions (the list filter of that name), and qualify job kinds by resource."""
    for index in V1_INDEXES:
        connection.execute(f"DROP INDEX IF EXISTS {index}")
    connection.execute("ALTER TABLE objects RENAME COLUMN type TO object")
    connection.execute("ALTER TABLE objects RENAME COLUMN kind TO type")
    for old, new in V1_JOB_KINDS.items():
        connection.execute("UPDATE jobs SET kind = ? WHERE kind = ?", (new, old))


def upgrade_from_2(connection: sqlite3.Connection) -> None:
    """Idempotency keys remember when they were stored (they live 24 hours); keys stored
    before that count as expired."""
    connection.execute("ALTER TABLE idempotency ADD COLUMN created INTEGER NOT NULL DEFAULT 0")


UPGRADES: dict[int, Callable[[sqlite3.Connection], None]] = {1: upgrade_from_1, 2: upgrade_from_2}


def stored_version(connection: sqlite3.Connection) -> int:
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    if version:
        return version
    has_objects = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'objects'"
    ).fetchone()
    return 1 if has_objects else SCHEMA_VERSION


def columns(connection: sqlite3.Connection) -> set[str]:
    return {row[1] for row in connection.execute("PRAGMA table_info(objects)")}


def open_schema(
    connection: sqlite3.Connection,
    *,
    link_names: tuple[str, ...],
    links_of: Callable[[dict[str, Any]], dict[str, Any]],
) -> None:
    """Create, upgrade and stamp the file, in one transaction."""
    version = stored_version(connection)
    if version > SCHEMA_VERSION:
        raise SchemaTooNew(version)
    connection.execute("BEGIN IMMEDIATE")
    try:
        for step in range(version, SCHEMA_VERSION):
            UPGRADES[step](connection)
        for statement in TABLES.split(";"):
            if statement.strip():
                connection.execute(statement)
        added = [name for name in link_names if name not in columns(connection)]
        for name in added:
            connection.execute(f"ALTER TABLE objects ADD COLUMN {name} TEXT")
        for name in link_names:
            connection.execute(
                f"CREATE INDEX IF NOT EXISTS objects_link_{name} ON objects ({name}, object, seq)"
            )
        if "payout" in link_names:
            connection.execute(
                "CREATE INDEX IF NOT EXISTS objects_unswept ON objects "
                "(object, payout, available_on) WHERE payout IS NULL"
            )
        fill_links(connection, added, links_of)
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def fill_links(
    connection: sqlite3.Connection,
    names: list[str],
    links_of: Callable[[dict[str, Any]], dict[str, Any]],
) -> None:
    """Set newly added link columns from the objects already stored."""
    if not names:
        return
    rows = connection.execute("SELECT seq, data FROM objects").fetchall()
    for seq, data in rows:
        values = {k: v for k, v in links_of(json.loads(data)).items() if k in names and v}
        if values:
            assignments = ", ".join(f"{name} = ?" for name in values)
            connection.execute(
                f"UPDATE objects SET {assignments} WHERE seq = ?",  # noqa: S608 (declared names)
                (*values.values(), seq),
            )
