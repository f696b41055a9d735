"""Manage links carry a per-supporter version; Supporter care may sign a supporter out."""

from django.contrib.auth.management import create_permissions
from django.db import migrations, models

PERMISSION = "sign_out_supporter"
ROLE = "Supporter care"


def grant_sign_out(apps, schema_editor):
    # Permissions are normally made after all migrations; the role needs this one now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    group = apps.get_model("auth", "Group").objects.filter(name=ROLE).first()
    if group is not None:
        permission = apps.get_model("auth", "Permission").objects.get(
            content_type__app_label="subscriptions", codename=PERMISSION
        )
        group.permissions.add(permission)


class Migration(migrations.Migration):

    dependencies = [
        ("subscriptions", "0008_settlement_and_payout_reconciliation"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="supporter",
            options={
                "ordering": ["-created_at"],
                "permissions": [
                    ("send_manage_link", "Can send a supporter a manage link"),
                    (
                        "sign_out_supporter",
                        "Can sign a supporter out of the manage page everywhere",
                    ),
                ],
            },
        ),
        migrations.AddField(
            model_name="supporter",
            name="token_version",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(grant_sign_out, migrations.RunPython.noop),
    ]
