"""The API's two formats: JSON written by orjson, and ``?format=csv``: one row per record,
keys as in the CSV files researchers load (a compound key joined with ``|``, lists separated
by ``;``)."""

import csv
import io

import orjson
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

from apps.common.cells import csv_cell

# Dates and times go through DRF's encoder too, so that they read as DRF writes them ("Z" for UTC).
ORJSON_OPTIONS = orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


class ORJSONRenderer(JSONRenderer):
    """DRF's JSON, written by orjson: the same document, several times faster for a long list.
    Values orjson does not know (decimals, lazy texts, dates) go through DRF's own encoder; a
    request for indented JSON (``Accept: application/json; indent=2``) takes DRF's path."""

    _encode = staticmethod(JSONEncoder().default)

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if self.get_indent(accepted_media_type or "", renderer_context or {}):
            return super().render(data, accepted_media_type, renderer_context)
        return orjson.dumps(data, default=self._encode, option=ORJSON_OPTIONS)


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
