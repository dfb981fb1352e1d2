"""``?format=csv``: one row per record, keys as in the CSV files researchers load
(a compound key joined with ``|``, lists separated by ``;``)."""

import csv
import io

from rest_framework.renderers import BaseRenderer

from apps.common.cells import csv_cell


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
            writer.writerow([csv_cell(row.get(name)) for name in header])
        return buffer.getvalue().encode(self.charset)
