"""One value as one CSV cell, the way researchers' CSV files write it (docs/data-model.md,
"Files: fixtures and CSV"): a natural key as its values joined with ``|``, a list with ``;``,
an object as JSON, a boolean as ``true``/``false``, a date in ISO 8601. The API's CSV output,
``export_data --format csv`` and the admin's export (CSV and XLSX) all write their cells here.

A cell a spreadsheet would take for a formula (OWASP, CSV injection: text starting with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return) is written with a leading ``'``, which makes
it text; a plain negative number (``-3``, ``-65000.000``) is left as it is. A text that
already starts with quotes before such a character gets one quote more, so that the CSV
reader's ``restore_formula`` (one leading quote off) gives every value back exactly.
"""

import datetime
import json
import re

from django.core.serializers.json import DjangoJSONEncoder

from apps.common.meta import LIST_SEPARATOR, key_text

FORMULA_STARTS = "=+-@\t\r"
_NEEDS_QUOTE = re.compile(r"'*[" + re.escape(FORMULA_STARTS) + "]")
_QUOTED = re.compile(r"'+[" + re.escape(FORMULA_STARTS) + "]")
_NEGATIVE_NUMBER = re.compile(r"-\d+(?:\.\d+)?")


def neutralize_formula(text):
    """``text`` as a cell no spreadsheet evaluates: ``'`` before a formula's first character."""
    if _NEEDS_QUOTE.match(text) and not _NEGATIVE_NUMBER.fullmatch(text):
        return "'" + text
    return text


def restore_formula(text):
    """The value ``neutralize_formula`` wrote as ``text``: its one added quote taken off."""
    return text[1:] if _QUOTED.match(text) else text


def csv_cell(value):
    """The text of one cell; ``None`` is an empty cell. A list's items that are themselves
    lists are natural keys (``[["S/RES/1718 (2006)", "8(b)"]]`` → ``S/RES/1718 (2006)|8(b)``)."""
    return neutralize_formula(_text(value))


def key_cell(key):
    """A natural key (a tuple or list of its values) as one cell: ``S/RES/1718 (2006)|8(b)``."""
    return neutralize_formula(key_text(key))


def _text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join(key_text(item) if isinstance(item, list | tuple) else _text(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, cls=DjangoJSONEncoder)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)
