"""The data version, kept in the database itself (``common_dataversion``, one row).

A trigger on every table of the data raises it in the same transaction as the write, so:

- every process and every writer agrees on it: the app servers, ``import_data`` in another
  process, a ``psql`` session, a restore followed by any write;
- it commits or rolls back with the data it describes: nobody can read a version whose data
  it cannot see, or data newer than the version it read first;
- a read replica holds the version its own data is at: an answer computed from a lagging
  replica is kept under the replica's (older) version, never under the primary's new one.

The new value is the larger of the old one plus one and the clock in microseconds, so a
version is never reused: not after a rolled-back transaction (whose answers may have been
kept under the number it saw) nor after a restore of an older database.

The same trigger sets the written table's own version (``common_tableversion``, a row per
table) to the new data version, for an answer made of a few tables only (``table_versions``):
the graph of countries is kept while editors write claims and sources. Each table is given
the data version when its trigger is installed; one without a row (after a flush) has the data
version as it stands (any write makes its answers stale). Either way a table's version is a
data version, and a write gives it one greater than every version before, so none comes
back.

On PostgreSQL one statement-level trigger per table and per kind of write (``COPY`` of a
million rows bumps once); on SQLite a row-level trigger. Installed after every ``migrate``
(``post_migrate``), so a model added later is covered without a migration of its own.
Every writer takes the data version's one row first, then its tables', so two writers wait
for each other, and never deadlock over the tables' rows.
"""

from django.apps import apps
from django.db import connections

from apps.common.health import checked_read

TABLE = "common_dataversion"
PREFIX = "sdb_dv_"

TABLES = "common_tableversion"

_PG_NOW = "(extract(epoch FROM clock_timestamp()) * 1000000)::bigint"
_SQLITE_NOW = "CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)"

_PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {PREFIX}bump() RETURNS trigger AS $$
BEGIN
    INSERT INTO {TABLE} (id, version) VALUES (1, {_PG_NOW})
    ON CONFLICT (id) DO UPDATE SET version = GREATEST({TABLE}.version + 1, EXCLUDED.version);
    INSERT INTO {TABLES} (name, version) SELECT TG_TABLE_NAME, version FROM {TABLE} WHERE id = 1
    ON CONFLICT (name) DO UPDATE SET version = EXCLUDED.version;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""

_SQLITE_BUMP = (
    f"INSERT INTO {TABLE} (id, version) VALUES (1, {_SQLITE_NOW}) "
    f"ON CONFLICT (id) DO UPDATE SET version = max({TABLE}.version + 1, excluded.version);"
)


def _sqlite_table_bump(table):
    return (
        f"INSERT INTO {TABLES} (name, version) SELECT '{table}', version FROM {TABLE} WHERE id = 1 "
        "ON CONFLICT (name) DO UPDATE SET version = excluded.version;"
    )


def versioned_tables():
    """Every table whose rows an answer may be derived from: the contract models', their
    many-to-many tables', and those of models that say ``KEYS_DATA_VERSION = True`` (the
    stored findings)."""
    from apps.common.registry import contract_models

    models = list(contract_models())
    models += [m for m in apps.get_models() if getattr(m, "KEYS_DATA_VERSION", False) and m not in models]
    tables = []
    for model in models:
        tables.append(model._meta.db_table)
        for field in model._meta.many_to_many:
            tables.append(field.remote_field.through._meta.db_table)
    return list(dict.fromkeys(tables))


def install_triggers(using="default"):
    """Create (or re-create) the triggers on every versioned table of database ``using``, and
    give each table without a version the data version."""
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    if TABLE not in existing or TABLES not in existing:
        return
    tables = [t for t in versioned_tables() if t in existing]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_PG_FUNCTION)
            for table in tables:
                for event in ("INSERT", "UPDATE", "DELETE", "TRUNCATE"):
                    name = f"{PREFIX}{event.lower()}"
                    cursor.execute(f'DROP TRIGGER IF EXISTS {name} ON "{table}"')
                    cursor.execute(
                        f'CREATE TRIGGER {name} AFTER {event} ON "{table}" '
                        f"FOR EACH STATEMENT EXECUTE FUNCTION {PREFIX}bump()"
                    )
        elif connection.vendor == "sqlite":
            for table in tables:
                for event in ("INSERT", "UPDATE", "DELETE"):
                    name = f"{PREFIX}{table}_{event.lower()}"
                    cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')
                    cursor.execute(
                        f'CREATE TRIGGER "{name}" AFTER {event} ON "{table}" '
                        f"BEGIN {_SQLITE_BUMP} {_sqlite_table_bump(table)} END"
                    )
        for table in tables:  # each table's version from here on: the data version as it stands
            cursor.execute(
                f"INSERT INTO {TABLES} (name, version) SELECT %s, version FROM {TABLE} WHERE id = 1 "
                "ON CONFLICT (name) DO NOTHING",
                [table],
            )


def bump(using="default"):
    """Raise the version now, in the current transaction of ``using`` (for a write the
    triggers cannot see, such as a change of the rules themselves), and every table's: what
    changed is not known."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO {TABLE} (id, version) VALUES (1, {_PG_NOW}) "
                f"ON CONFLICT (id) DO UPDATE SET version = GREATEST({TABLE}.version + 1, EXCLUDED.version)"
            )
        else:
            cursor.execute(_SQLITE_BUMP)
        cursor.execute(f"UPDATE {TABLES} SET version = (SELECT version FROM {TABLE} WHERE id = 1)")


def read_version(using):
    """The version of database ``using`` as its own data stands (None: no version yet, as
    after a flush: then nothing is kept)."""
    connection = connections[using]

    def read():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT version FROM {TABLE} WHERE id = 1")
            return cursor.fetchone()

    # Often a request's first statement: the health check of its connection (apps.common.health).
    row = checked_read(connection, read)
    return row[0] if row else None


def table_versions(tables, using):
    """The versions of ``tables`` (their names) in database ``using``, in their order, each
    the data version for a table not yet written (None: no data version yet, as after a
    flush: then nothing is kept). One statement, the data version's read with it."""
    connection = connections[using]
    marks = ", ".join(["%s"] * len(tables))

    def read():
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT '', version FROM {TABLE} WHERE id = 1 "
                f"UNION ALL SELECT name, version FROM {TABLES} WHERE name IN ({marks})",
                list(tables),
            )
            return dict(cursor.fetchall())

    versions = checked_read(connection, read)
    if "" not in versions:
        return None
    return tuple(versions.get(table, versions[""]) for table in tables)
