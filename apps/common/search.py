"""Free-text search over a model's fields, shaped so that PostgreSQL answers it from indexes.

``search_condition(model, fields, text)`` matches records where any of ``fields`` contains
``text`` (case-insensitive). A field of the model itself is a ``icontains`` on its column,
which the trigram indexes of ``trigram_index_operations`` serve (GIN, ``gin_trgm_ops``, on
``UPPER(column)``, the expression Django's ``icontains`` compares on PostgreSQL). A field
across a foreign key (``supplier__name``) becomes ``supplier IN (the related records that
match)``: a condition on the model's own column, so that the whole search is one OR of index
scans instead of a join that must read every row. SQLite, the embedded store for small data,
runs the same conditions without those indexes.
"""

from django.db import migrations
from django.db.models import Q

# Matching related records looked up first and sent as a list, up to this many.
RELATED_MATCHES_AS_VALUES = 1000


def search_condition(model, fields, text):
    """The condition: any of ``fields`` (lookup paths) contains ``text``."""
    condition = Q()
    related_fields = {}
    for path in fields:
        head, _, rest = path.partition("__")
        field = model._meta.get_field(head)
        if rest and field.many_to_one:
            related_fields.setdefault(head, []).append(rest)
        else:
            condition |= Q(**{f"{path}__icontains": text})
    # Foreign keys to the same model searched in the same fields (a transfer's supplier and
    # recipient by name) share one lookup of the matching records.
    by_target = {}
    for head, rests in related_fields.items():
        related = model._meta.get_field(head).related_model
        by_target.setdefault((related, tuple(rests)), []).append(head)
    for (related, rests), heads in by_target.items():
        matching = related._base_manager.filter(search_condition(related, rests, text)).values_list("pk", flat=True)
        # A short list is sent as values (``= ANY(...)``, which an index answers inside an OR);
        # a long one stays a subquery.
        found = list(matching[: RELATED_MATCHES_AS_VALUES + 1])
        if len(found) <= RELATED_MATCHES_AS_VALUES:
            matching = found
        for head in heads:
            condition |= Q(**{f"{head}__in": matching})
    return condition


def _index_name(table, column):
    return f"{table}_{column}_trgm"[:63]


def trigram_index_operations(model_label, columns):
    """Migration operations that add, on PostgreSQL only, the pg_trgm extension and a GIN
    trigram index on ``UPPER(column)`` of each of ``columns``; nothing elsewhere."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        table = apps.get_model(model_label)._meta.db_table
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for column in columns:
            schema_editor.execute(
                f'CREATE INDEX IF NOT EXISTS "{_index_name(table, column)}" ON "{table}" '
                f'USING gin (UPPER("{column}"::text) gin_trgm_ops)'
            )

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        table = apps.get_model(model_label)._meta.db_table
        for column in columns:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{_index_name(table, column)}"')

    return [migrations.RunPython(forwards, backwards)]
