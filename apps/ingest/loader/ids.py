"""Primary keys handed out before anything is written.

Every new object of a load gets its primary key during the allocate pass, so that a record
may refer to one that comes later and every row can be written with its key already set
(``COPY`` needs it). How the keys are taken depends on the database: on PostgreSQL from the
table's own sequence (``nextval``), elsewhere (SQLite) counting up from the table's current
maximum. A dry run writes nothing and takes negative placeholders instead.
"""

from django.db import connection


def allocate_pks(model, count):
    """Primary keys for ``count`` new rows of ``model``, taken before any row is written."""
    if not count:
        return []
    table = model._meta.db_table
    pk_column = model._meta.pk.column
    if connection.vendor == "postgresql":
        return _from_sequence(table, pk_column, count)
    return _after_maximum(table, pk_column, count)


def placeholder_pks(count, *, taken):
    """``count`` primary keys for a dry run, after the ``taken`` ones already handed out:
    negative, so never mistaken for stored rows (and never written)."""
    return list(range(-taken - 1, -taken - count - 1, -1))


def _from_sequence(table, pk_column, count):
    """PostgreSQL: the next ``count`` values of the column's serial sequence."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, pk_column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _after_maximum(table, pk_column, count):
    """Other databases (SQLite): ``count`` keys after the largest one stored."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX({quote(pk_column)}), 0) FROM {quote(table)}")
        start = cursor.fetchone()[0] + 1
    return list(range(start, start + count))
