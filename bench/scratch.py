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
