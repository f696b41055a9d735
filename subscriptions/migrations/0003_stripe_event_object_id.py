from django.db import migrations, models


def fill_object_ids(apps, schema_editor):
    """Events stored before the column existed: read the id from the stored payload."""
    StripeEvent = apps.get_model("subscriptions", "StripeEvent")
    batch = []
    for event in StripeEvent.objects.only("pk", "payload").iterator(chunk_size=1000):
        data = (event.payload or {}).get("data") or {}
        object_id = (data.get("object") or {}).get("id") or ""
        if object_id:
            event.object_id = object_id[:255]
            batch.append(event)
        if len(batch) >= 1000:
            StripeEvent.objects.bulk_update(batch, ["object_id"])
            batch = []
    StripeEvent.objects.bulk_update(batch, ["object_id"])


class Migration(migrations.Migration):
    dependencies = [
        ("subscriptions", "0002_outbox_and_receipts"),
    ]

    operations = [
        migrations.AddField(
            model_name="stripeevent",
            name="object_id",
            field=models.CharField(blank=True, db_index=True, max_length=255),
        ),
        migrations.RunPython(fill_object_ids, migrations.RunPython.noop),
    ]
