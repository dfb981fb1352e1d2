"""Statements whose SQL is worked out once and run again for each request.

Building a queryset and compiling it to SQL can cost a read more than the database takes to
answer it (a page of transfers: about 4 ms of Python for 3 ms of PostgreSQL). A
``CompiledRead`` keeps what the ORM worked out for one ``values()`` queryset (the statement,
its parameters, the names and converters of its columns) and runs it again with a cursor;
``kept`` keeps readings in the process's store (``apps.common.kept``) under a key that holds
everything their statement depends on. What changes from one request to the next (a detail's key, the moment a change
feed starts at) is a named parameter: compiled with a placeholder value, put in at each run.

On PostgreSQL the statement is a prepared one (``prepared_cursor``) with its other values
written in as literals, quoted by psycopg as Django's own client-side binding quotes them.
PostgreSQL then plans it once per connection for the values it holds (a page of
``?supplier=KP`` planned for KP's share of the table), not on every request: planning a list
page costs more than running it. ``DATABASE_PREPARED_STATEMENTS=false`` turns this off (a
connection pooler in transaction mode that cannot keep prepared statements). Their rows come
in PostgreSQL's binary format, which psycopg reads in a third of the time the text takes
(dates and times above all); a ``jsonb`` value is still handed to Django as its text, as
Django's own loader does for the text format, so that ``JSONField`` decodes it as usual.
"""

import datetime
import functools

from django.conf import settings
from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections, router
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper
from psycopg import postgres
from psycopg.adapt import Loader
from psycopg.pq import Format

from apps.common.kept import kept as keep

# Stand-ins for the named parameters while a statement is compiled, by type; each is then
# found among the statement's parameters (``CompiledRead``).
PLACEHOLDERS = {
    str: "\x1fcompiled-placeholder\x1f",
    # Within a 32-bit column's range: Django writes a comparison with a number past a column's
    # range as a constant, and the parameter would be gone.
    int: 1_987_654_321,
    datetime.datetime: datetime.datetime(1901, 2, 3, 4, 5, 6, 789_012, tzinfo=datetime.UTC),
}

# What a kept reading costs in memory, estimated from its statement's length: the ORM's
# compiler, query and column converters it keeps grow with the statement. Measured with
# tracemalloc on list pages of four resources (SQLite and PostgreSQL): 18 to 27 bytes per
# character of the statement, about 20 KB to 90 KB a page.
BYTES_PER_CHARACTER = 25
BYTES_PER_READING = 2048


class CompiledRead:
    """One ``values()`` queryset's statement, run again with a cursor for each request.

    ``placeholders`` maps the name of each parameter put in at run time to the stand-in the
    queryset was built with (``PLACEHOLDERS``, one per type); every parameter of the statement equal to a
    stand-in becomes that named parameter (LookupError when a stand-in is not among them)."""

    def __init__(self, queryset, placeholders=None):
        placeholders = placeholders or {}
        connection = connections[queryset.db]
        compiler = queryset.query.get_compiler(queryset.db)
        sql, params = compiler.as_sql()  # EmptyResultSet when it can match nothing
        query = queryset.query
        self.model = queryset.model
        self.names = [*query.extra_select, *query.values_select, *query.annotation_select]
        self.compiler = compiler
        self.converters = compiler.get_converters([column[0] for column in compiler.select[: compiler.col_count]])
        # Which parameter each position holds: a name, or None for a value of its own.
        self.slots = [next((name for name, v in placeholders.items() if v == value), None) for value in params]
        if set(placeholders) - set(self.slots):
            raise LookupError("a named parameter is not a parameter of the statement")
        self.prepared = connection.vendor == "postgresql" and settings.DATABASE_PREPARED_STATEMENTS
        self.params = list(params)
        self.sql = _written_in(connection, sql, self.params, self.slots) if self.prepared else sql

    def run(self, **values):
        """The rows (dicts by column name), with ``values`` for the named parameters."""
        if self.prepared:
            params = values or None
        else:
            params = [
                value if name is None else values[name] for value, name in zip(self.params, self.slots, strict=True)
            ]
        connection = connections[router.db_for_read(self.model)]
        with prepared_cursor(connection) if self.prepared else connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        names = self.names
        # Past the named columns come those a DISTINCT adds for its ordering: left out.
        return [dict(zip(names, row, strict=False)) for row in rows]

    @property
    def kept_bytes(self):
        """About how much memory this reading holds while it is kept (``BYTES_PER_CHARACTER``)."""
        return BYTES_PER_READING + BYTES_PER_CHARACTER * len(self.sql)


MARK = "sanctionsdb_parameter_5f1c2e9a_"


def _written_in(connection, sql, params, slots):
    """``sql`` with ``params`` written in as literals (psycopg's quoting), but for those named
    in ``slots``, left as named parameters (``%(name)s``)."""
    names = {name for name in slots if name is not None}
    if not names:
        return connection.ops.compose_sql(sql, params)
    marked = [value if name is None else f"{MARK}{name}" for value, name in zip(params, slots, strict=True)]
    text = connection.ops.compose_sql(sql, marked)
    # With parameters left, psycopg reads % as the start of one: escape every other.
    text = text.replace("%", "%%")
    for name in names:
        mark = f"'{MARK}{name}'"
        if mark not in text:
            raise LookupError(f"parameter {name} is not a literal of the statement")
        text = text.replace(mark, f"%({name})s")
    return text


class JsonbAsText(Loader):
    """A binary ``jsonb`` value as its JSON text (the format's version byte left out)."""

    format = Format.BINARY

    def load(self, data):
        return bytes(data[1:]).decode()


JSONB = postgres.types["jsonb"].oid


class _LoggedStatements(CursorDebugWrapper):
    """Logs a prepared statement as the SQL it runs, its parameters written in (as
    ``connection.queries`` and the query counts of the tests show every other query)."""

    def execute(self, sql, params=None):
        shown = sql if params is None else self.db.ops.compose_sql(sql, params)
        with self.debug_sql(shown, params):
            return CursorWrapper.execute(self, sql, params)


@functools.cache
def _prepared_cursor_class():
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparedCursor(ServerBindingCursor):
        """Prepares every statement it runs, and reads its rows in the binary format."""

        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=True)

    return PreparedCursor


def prepared_cursor(connection):
    """A cursor of ``connection`` (PostgreSQL) whose statements are prepared: planned once per
    connection by PostgreSQL and kept by psycopg (its ``prepared_max`` most recent)."""
    connection.ensure_connection()
    raw = connection.connection
    if raw.adapters.get_loader(JSONB, Format.BINARY) is not JsonbAsText:
        raw.adapters.register_loader(JSONB, JsonbAsText)  # once per connection
    cursor = _prepared_cursor_class()(raw)
    return _LoggedStatements(cursor, connection) if connection.queries_logged else connection.make_cursor(cursor)


def kept(key, compile_read, *, data_version=None):
    """The reading kept under ``key``, compiled by ``compile_read()`` the first time; None
    when it cannot be kept (the statement could match nothing, or a named parameter is not
    one of its parameters).

    ``data_version``: the reading was compiled from the data as it is at that version (a key
    resolved to an id): it is kept until the version changes (``apps.common.kept``)."""

    def compiled():
        try:
            return compile_read()
        except (EmptyResultSet, FullResultSet, LookupError):
            return None

    return keep("read", key, compiled, _size, data_version=data_version)


def _size(read):
    return BYTES_PER_READING if read is None else read.kept_bytes
