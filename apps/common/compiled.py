"""Statements whose SQL is worked out once and run again for each request.

Building a queryset and compiling it to SQL can cost a read more than the database takes to
answer it (a page of transfers: about 4 ms of Python for 3 ms of PostgreSQL). A
``CompiledRead`` keeps what the ORM worked out for one ``values()`` queryset (the statement,
its parameters, the names and converters of its columns) and runs it again with a cursor;
``kept`` keeps readings in the process's store (``apps.common.kept``) under a key that holds
everything their statement depends on. The statement's text is the ORM's, its placeholders
left in: every value (a filter's, a detail's key, the moment a change feed starts at) is a
parameter sent with each run, never written into the text. What changes from one request to
the next under the same key is a named parameter: compiled with a stand-in value
(``PLACEHOLDERS``), put in at each run.

On PostgreSQL the statement is a prepared one (``prepared_cursor``): its parameters bound by
the server, it is parsed once per connection, and psycopg keeps it (its ``prepared_max`` most
recent). ``DATABASE_PREPARED_STATEMENTS=false`` turns this off (a connection pooler in
transaction mode that cannot keep prepared statements): the same statement then runs through
Django's own cursor. Rows of a prepared statement come in PostgreSQL's binary format, which
psycopg reads faster than text (dates and times above all); a ``jsonb`` value is still handed
to Django as its text (``JsonbAsText``), as Django's own loader does for the text format, so
that ``JSONField`` decodes it as usual.
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

from apps.common.health import checked_read
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
# tracemalloc on a list page of each of the fifteen resources (PostgreSQL): 26 KB for a
# statement of 740 characters to 85 KB for one of 3,100, about 14 KB and 23 bytes a character.
BYTES_PER_CHARACTER = 25
BYTES_PER_READING = 14_000


class CompiledRead:
    """One ``values()`` queryset's statement, run again with a cursor for each request.

    ``placeholders`` maps the name of each parameter put in at run time to the stand-in the
    queryset was built with (``PLACEHOLDERS``, one per type); every parameter of the statement
    equal to a stand-in becomes that named parameter (LookupError when a stand-in is not among
    them)."""

    def __init__(self, queryset, placeholders=None):
        placeholders = placeholders or {}
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
        self.prepared = connections[queryset.db].vendor == "postgresql" and settings.DATABASE_PREPARED_STATEMENTS
        self.sql = sql
        self.params = list(params)

    def run(self, **values):
        """The rows (dicts by column name), with ``values`` for the named parameters."""
        params = [value if name is None else values[name] for value, name in zip(self.params, self.slots, strict=True)]
        connection = connections[router.db_for_read(self.model)]

        def read():
            with prepared_cursor(connection) if self.prepared else connection.cursor() as cursor:
                cursor.execute(self.sql, params)
                return cursor.fetchall()

        rows = checked_read(connection, read)
        if self.converters:
            rows = self.compiler.apply_converters(rows, self.converters)
        names = self.names
        # Past the named columns come those a DISTINCT adds for its ordering: left out.
        return [dict(zip(names, row, strict=False)) for row in rows]

    @property
    def kept_bytes(self):
        """About how much memory this reading holds while it is kept (``BYTES_PER_CHARACTER``)."""
        return BYTES_PER_READING + BYTES_PER_CHARACTER * len(self.sql)


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
        with self.debug_sql(self.db.ops.compose_sql(sql, params), params):
            return CursorWrapper.execute(self, sql, params)


@functools.cache
def _prepared_cursor_class():
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparedCursor(ServerBindingCursor):
        """Binds its parameters on the server, prepares every statement it runs, and reads its
        rows in the binary format."""

        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=True)

    return PreparedCursor


def prepared_cursor(connection):
    """A cursor of ``connection`` (PostgreSQL) whose statements are prepared: parsed once per
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
