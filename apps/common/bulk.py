"""Writing many new rows at once: PostgreSQL ``COPY``, ``bulk_create`` elsewhere.

``bulk_create`` builds one ``INSERT`` with a parameter per value and has each value prepared
by its field: for the tens of thousands of rows a load writes (its findings, say) building
that statement costs more than the database's work. ``COPY`` streams the rows instead.
"""

import json
import operator

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, models


def copy_rows(table, columns, rows, *, using="default"):
    """PostgreSQL ``COPY`` of ``rows`` (sequences of Python values) into ``columns`` of ``table``."""
    connection = connections[using]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)


def db_value(field, value):
    """``value`` of ``field`` as ``COPY`` takes it: a JSON field's value as its JSON text."""
    if isinstance(field, models.JSONField):
        return None if value is None else json.dumps(value, cls=field.encoder or DjangoJSONEncoder)
    return value


def copy_values(fields, objects):
    """Each of ``objects``' values of ``fields``, a list a row, as ``COPY`` takes them."""
    names = [field.attname for field in fields]
    values_of = operator.attrgetter(*names) if len(names) > 1 else lambda obj: (getattr(obj, names[0]),)
    json_at = [(i, field) for i, field in enumerate(fields) if isinstance(field, models.JSONField)]
    rows = []
    for obj in objects:
        row = list(values_of(obj))
        for i, field in json_at:
            row[i] = db_value(field, row[i])
        rows.append(row)
    return rows


def insert_new(model, objects, *, using="default"):
    """Write ``objects`` (new instances of ``model``, without primary keys: the database
    numbers them) as new rows; their primary keys are not read back."""
    objects = list(objects)
    if not objects:
        return
    if connections[using].vendor != "postgresql":
        model.objects.using(using).bulk_create(objects, batch_size=1000)
        return
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    copy_rows(model._meta.db_table, [field.column for field in fields], copy_values(fields, objects), using=using)


# autovacuum's own defaults (autovacuum_analyze_threshold, autovacuum_analyze_scale_factor).
ANALYZE_THRESHOLD = 50
ANALYZE_SCALE_FACTOR = 0.1


def analyze_grown(model, added, *, using="default"):
    """Have PostgreSQL analyse ``model``'s table after ``added`` rows were written to it, when
    that is as many as autovacuum waits for (50 rows and a tenth of the table): the planner's
    statistics then count them before the next statement, in the same transaction (its rows
    included), whether or not autovacuum runs. Without, a load into a young table is planned
    as if it held its first rows, and what reads it next (the load's findings, the caps' sums)
    can take minutes instead of a fraction of a second. Returns whether it did."""
    connection = connections[using]
    if connection.vendor != "postgresql" or added <= ANALYZE_THRESHOLD:
        return False
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
        (rows,) = cursor.fetchone()
        if added <= ANALYZE_THRESHOLD + ANALYZE_SCALE_FACTOR * max(rows, 0):
            return False
        cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
    return True
