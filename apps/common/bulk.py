"""Writing many new rows at once: PostgreSQL ``COPY``, ``bulk_create`` elsewhere.

``bulk_create`` builds one ``INSERT`` with a parameter per value and has each value prepared
by its field: for the tens of thousands of rows a load writes (its findings, say) building
that statement costs more than the database's work. ``COPY`` streams the rows instead.
"""

import json

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
    json_fields = {field.attname for field in fields if isinstance(field, models.JSONField)}
    rows = (
        [
            db_value(field, getattr(obj, field.attname))
            if field.attname in json_fields
            else getattr(obj, field.attname)
            for field in fields
        ]
        for obj in objects
    )
    copy_rows(model._meta.db_table, [field.column for field in fields], rows, using=using)
