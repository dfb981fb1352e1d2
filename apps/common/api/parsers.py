"""Reading a request's JSON body at any depth.

DRF's parser hands the body to Python's decoder, which runs out of stack (``RecursionError``,
a 500) on lists or objects nested some thousand levels deep. This one reads such a body with
the deepest levels emptied (``apps.common.nesting``), so that the serializer refuses the field
that nests too deep by its name (a 400), and nothing is written.
"""

import codecs
import json

from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils.json import strict_constant

from apps.common import nesting


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        try:
            text = codecs.getreader(encoding)(stream).read()
            return nesting.loads(text, json.JSONDecoder(parse_constant=strict_constant if self.strict else None))
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
