"""``?format=csv``: one row per record, keys as in the CSV files researchers load
(a compound key joined with ``|``, lists separated by ``;``)."""

import csv
import io
import json

from rest_framework.renderers import BaseRenderer


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join("|".join(map(str, item)) if isinstance(item, list) else _cell(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if isinstance(data, dict) and "results" in data:
            rows = data["results"]
        elif isinstance(data, list):
            rows = data
        else:
            rows = [data]
        rows = [row for row in rows if isinstance(row, dict)]
        header = list(dict.fromkeys(name for row in rows for name in row))
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([_cell(row.get(name)) for name in header])
        return buffer.getvalue().encode(self.charset)
