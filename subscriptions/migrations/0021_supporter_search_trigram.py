"""Supporter care's free-text search (part of a name or an address) reads trigram indexes
instead of every supporter: pg_trgm GIN indexes on UPPER(name) and UPPER(email), the
expressions Django's `icontains` compares. PostgreSQL only: SQLite (the demo) has no such
index and scans, which is fine at demo sizes."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = {
    "supporter_name_trgm": "name",
    "supporter_email_trgm": "email",
}


def indexes_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {index} ON subscriptions_supporter "
            f"USING gin (UPPER({column}::text) gin_trgm_ops)"
        )


def indexes_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {index}")


class Migration(migrations.Migration):
    dependencies = [("subscriptions", "0020_stripe_report_comparison")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(indexes_create, indexes_drop),
    ]
