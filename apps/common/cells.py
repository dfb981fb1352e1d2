"""One value as one CSV cell, the way researchers' CSV files write it (DESIGN.md, Data loads):
a natural key as its values joined with ``|``, a list with ``;``, an object as JSON, a boolean
as ``true``/``false``, a date in ISO 8601. The API's CSV output, ``export_data --format csv``
and the admin's export all write their cells here.
"""

import datetime
import json

from django.core.serializers.json import DjangoJSONEncoder

from apps.common.meta import LIST_SEPARATOR, key_text


def csv_cell(value):
    """The text of one cell; ``None`` is an empty cell. A list's items that are themselves
    lists are natural keys (``[["S/RES/1718 (2006)", "8(b)"]]`` → ``S/RES/1718 (2006)|8(b)``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join(
            key_text(item) if isinstance(item, list | tuple) else csv_cell(item) for item in value
        )
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, cls=DjangoJSONEncoder)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)
