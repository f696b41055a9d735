"""The staff roles: Supporter care, Finance, Auditor (see subscriptions/roles.py)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def create_roles(apps, schema_editor):
    from subscriptions.roles import roles_ensure

    # Permissions are normally made after all migrations; the roles need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    # Permissions added by later migrations (0008's sign_out_supporter) come with them.
    roles_ensure(apps=apps, only_missing=False, skip_later=True)


def delete_roles(apps, schema_editor):
    from subscriptions.roles import ROLE_PERMISSIONS

    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("subscriptions", "0006_audit_append_only"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(create_roles, delete_roles),
    ]
