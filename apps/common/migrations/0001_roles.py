"""Create the Editors and Reviewers groups with their permissions (see apps.common.roles)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from apps.common.roles import sync_roles


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_roles(apps)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Editors", "Reviewers"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("geo", "0002_iso_countries"),
        ("actors", "0001_initial"),
        ("evidence", "0001_initial"),
        ("resolutions", "0001_initial"),
        ("sanctions", "0001_initial"),
        ("transfers", "0001_initial"),
        ("relations", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
