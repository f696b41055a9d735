"""Scratch PostgreSQL databases for the benches: made fresh at the start, dropped at the end."""

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def _drop(connection, name: str) -> None:
    from psycopg import sql

    connection.execute(
        sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    )


def database_create(name: str) -> None:
    """An empty database of this name (one left by an interrupted run is dropped first)."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        _drop(connection, name)
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def database_drop(name: str) -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        _drop(connection, name)


def scratch_teardown(*, redis_client, database: str, database_made: bool, files) -> None:
    """A bench's last step, whatever happened before: empty its Redis database, close
    Django's connections (if Django was loaded) and drop its scratch database, then remove
    its temporary files (`files`: a TemporaryDirectory)."""
    import sys

    try:
        redis_client.flushdb()
    finally:
        if database_made:
            if "django" in sys.modules:
                from django.db import connections

                connections.close_all()
            database_drop(database)
        files.cleanup()
