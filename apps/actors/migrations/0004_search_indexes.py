"""Trigram indexes for the ``q`` search of actors, and a GIN index on ``identifiers`` for
``?identifier=key:value`` (containment); PostgreSQL only (see apps.common.search)."""

from django.db import migrations

from apps.common.search import trigram_index_operations

IDENTIFIERS_INDEX = "actors_actor_identifiers_gin"


def identifiers_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{IDENTIFIERS_INDEX}" ON "actors_actor" USING gin (identifiers jsonb_path_ops)'
        )


def drop_identifiers_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{IDENTIFIERS_INDEX}"')


class Migration(migrations.Migration):
    dependencies = [("actors", "0003_scale_indexes")]

    operations = [
        *trigram_index_operations("actors.Actor", ["slug", "name", "aliases", "role", "description"]),
        migrations.RunPython(identifiers_index, drop_identifiers_index),
    ]
