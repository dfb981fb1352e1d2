"""Database functions the reads use that PostgreSQL has and SQLite lacks: SQLite's stand-in
is given to every connection it opens (``apps.common.apps``)."""

import zlib

from django.db.models import CharField, IntegerField
from django.db.models.expressions import Func


class RowHash(Func):
    """A 32-bit hash of a text: PostgreSQL's ``hashtext``; on SQLite ``sqlite_hashtext``,
    under the same name. Summed over rows, a fingerprint of what they hold."""

    function = "hashtext"
    output_field = IntegerField()


def sqlite_hashtext(text):
    """SQLite's ``hashtext``: the text's CRC-32, signed as PostgreSQL's is."""
    if text is None:
        return None
    return zlib.crc32(text.encode()) - 2**31


def install_sqlite_functions(sender, connection, **kwargs):
    """Give a new SQLite connection the functions above (``connection_created``)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("hashtext", 1, sqlite_hashtext, deterministic=True)


class Joined(Func):
    """The texts of its expressions joined by ``|``, an empty value as an empty text: flat, as
    ``Concat``'s nested pairs are not (SQLite's parser overflows on a dozen of those)."""

    output_field = CharField()

    def as_sql(self, compiler, connection, **extra_context):
        parts, params = [], []
        for expression in self.get_source_expressions():
            sql, part_params = compiler.compile(expression)
            parts.append(f"COALESCE(CAST({sql} AS TEXT), '')")
            params.extend(part_params)
        return " || '|' || ".join(parts), params
