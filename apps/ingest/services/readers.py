"""Turn researchers' files into records: Django fixtures (JSON, YAML, JSON Lines) and CSV.

Each reader is a source the loader reads twice; it yields ``Record`` objects, or a
``ReadError`` for what it cannot read (malformed JSON, a CSV header naming no field), and
never raises for bad input. JSON and JSON Lines are streamed, so a large fixture is never
held in memory whole, and read at any depth (``apps.common.nesting``: the loader then refuses
the field that nests too deep). YAML is read at once (it is meant for small hand-written
files), with a safe loader that refuses aliases: a fixture never needs them, and a few hundred
bytes of nested aliases (a "billion laughs") expand to gigabytes once the values are walked.
"""

import csv
import io
import json
import re
from pathlib import Path

import yaml

from apps.common import nesting
from apps.common.cells import restore_formula
from apps.common.meta import KEY_SEPARATOR, LIST_SEPARATOR
from apps.ingest.services.contract import NOT_FROM_RECORDS, spec_for_label
from apps.ingest.services.records import Location, ReadError, Record

FORMATS = ("json", "jsonl", "yaml", "csv")
_EXTENSIONS = {".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".yaml": "yaml", ".yml": "yaml", ".csv": "csv"}
CHUNK = 1 << 20


class AliasRefused(yaml.YAMLError):
    """A YAML document that uses an alias (``*name``)."""

    def __init__(self, mark):
        super().__init__(
            "the value anchored here is used again through an alias (*name); "
            "anchors and aliases are not allowed in fixture files"
        )
        self.problem_mark = mark


class FixtureYAMLLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """The safe loader (libyaml's when present) refusing every alias. The composer keeps an
    alias as a second reference to its anchor's node, so the first node built twice is an
    alias: refused there, before any value is repeated."""

    def construct_object(self, node, deep=False):
        if node in self.constructed_objects or node in self.recursive_objects:
            raise AliasRefused(node.start_mark)
        return super().construct_object(node, deep=deep)


def detect_format(name):
    return _EXTENSIONS.get(Path(name).suffix.lower())


def model_from_filename(name):
    """``transfers.transfer.csv`` → ``transfers.transfer`` (a prefix such as ``01-`` is allowed)."""
    stem = Path(name).stem.split("-")[-1]
    parts = stem.split(".")
    return ".".join(parts[-2:]) if len(parts) >= 2 else None


class FileSource:
    """One input file. ``path`` is read from disk; ``data`` (bytes) is used instead when given,
    as for an upload, with ``name`` naming it in messages."""

    def __init__(self, path=None, *, data=None, name=None, fmt=None, model=None):
        self.path = Path(path) if path is not None else None
        self.data = data
        self.name = name or (str(path) if path is not None else "upload")
        self.fmt = fmt or detect_format(self.name)
        self.model = model

    def _open(self):
        if self.data is not None:
            return io.TextIOWrapper(io.BytesIO(self.data), encoding="utf-8-sig", newline="")
        return open(self.path, encoding="utf-8-sig", newline="")  # noqa: SIM115 - closed by the caller

    def records(self):
        if self.fmt not in FORMATS:
            yield ReadError(Location(self.name), f"unknown file format; use one of {', '.join(FORMATS)}")
            return
        try:
            with self._open() as stream:
                yield from getattr(self, f"_read_{self.fmt}")(stream)
        except UnicodeDecodeError as exc:
            yield ReadError(Location(self.name), f"not UTF-8 text: {exc.reason} at byte {exc.start}")
        except OSError as exc:
            yield ReadError(Location(self.name), f"cannot read the file: {exc.strerror or exc}")

    # -- fixtures ------------------------------------------------------------------------------

    def _fixture_record(self, obj, location, escaped=True, shallow=False):
        """``obj`` as a Record, or a ReadError. ``escaped``: whether its text may hold a
        ``\\u`` escape (JSON read from a file decoded as UTF-8 can hold a lone surrogate only
        through one), False when it is known to hold none; ``shallow``: whether its text is
        known to hold no more than ``nesting.MAX_DEPTH`` brackets (``Record.plain``)."""
        if not isinstance(obj, dict):
            return ReadError(location, "each object must be a mapping with 'model' and 'fields'")
        label = obj.get("model")
        if not isinstance(label, str) or not label:
            return ReadError(location, "the object has no 'model'")
        fields = obj.get("fields", {})
        if escaped and _holds_surrogate(obj):
            return _surrogate_error(location, label, fields)
        return Record(label.strip().lower(), fields, location, plain=shallow and not escaped)

    def _read_json(self, stream):
        for index, item in enumerate(_iter_json_array(stream), start=1):
            if isinstance(item, ReadError):
                yield ReadError(Location(self.name, item.location.where), item.message)
                return
            obj, escaped, shallow = item
            yield self._fixture_record(obj, Location(self.name, f"object {index}"), escaped, shallow)

    def _read_jsonl(self, stream):
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            location = Location(self.name, f"line {number}")
            try:
                obj = nesting.loads(line)
            except json.JSONDecodeError as exc:
                yield ReadError(location, f"malformed JSON: {exc.msg} at column {exc.colno}")
                continue
            yield self._fixture_record(obj, location, "\\u" in line, _shallow(line))

    def _read_yaml(self, stream):
        try:
            data = yaml.load(stream, Loader=FixtureYAMLLoader)  # noqa: S506 - a safe loader
        except AliasRefused as exc:
            where = f"line {exc.problem_mark.line + 1}, column {exc.problem_mark.column + 1}"
            yield ReadError(Location(self.name, where), f"refused YAML: {exc}")
            return
        except yaml.reader.ReaderError as exc:  # a character YAML does not allow (a NUL): no mark
            where = f"character {exc.position + 1}"
            yield ReadError(Location(self.name, where), f"malformed YAML: {str(exc).splitlines()[0]}")
            return
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            yield ReadError(Location(self.name, where), f"malformed YAML: {getattr(exc, 'problem', None) or exc}")
            return
        if data is None:
            return
        if not isinstance(data, list):
            yield ReadError(Location(self.name), "a fixture is a list of objects")
            return
        for index, obj in enumerate(data, start=1):
            yield self._fixture_record(obj, Location(self.name, f"object {index}"))

    # -- CSV -------------------------------------------------------------------------------------

    def _read_csv(self, stream):
        label = (self.model or model_from_filename(self.name) or "").lower()
        spec = spec_for_label(label)
        if spec is None:
            yield ReadError(
                Location(self.name),
                f"cannot tell the model of this CSV file ({label or 'none'}): name it like "
                "transfers.transfer.csv or give --model",
            )
            return
        reader = csv.reader(stream, strict=True)
        try:
            header = next(reader, None)
            if not header:
                yield ReadError(Location(self.name, "line 1"), "the file has no header row", spec.label)
                return
            header = [name.strip() for name in header]
            unknown = [name for name in header if name not in spec.fields and name not in NOT_FROM_RECORDS]
            if unknown:
                for name in unknown:
                    yield ReadError(
                        Location(self.name, "line 1"),
                        f"unknown column (fields: {', '.join(spec.field_names)})",
                        spec.label,
                        name.replace("\x00", "\\x00"),
                    )
                return
            list_fields = spec.list_json_fields()
            for row in reader:
                location = Location(self.name, f"line {reader.line_num}")
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) != len(header):
                    yield ReadError(location, f"the row has {len(row)} cells, the header {len(header)}", spec.label)
                    continue
                fields = {}
                error = None
                for name, cell in zip(header, row, strict=True):
                    if name in NOT_FROM_RECORDS:
                        continue
                    try:
                        fields[name] = _csv_value(spec, name, cell, list_fields)
                    except ValueError as exc:
                        error = ReadError(location, str(exc), spec.label, name)
                        break
                yield error or Record(spec.label, fields, location)
        except csv.Error as exc:
            yield ReadError(Location(self.name, f"line {reader.line_num}"), f"malformed CSV: {exc}", spec.label)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _holds_surrogate(value):
    """Whether ``value`` (strings, lists and mappings, keys included) holds a lone surrogate
    (U+D800 to U+DFFF): what a JSON escape such as ``\\udc80`` or a YAML one gives, though it
    is no character; it cannot be encoded, so no database can store (nor look up) it."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if not item.isascii() and _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _surrogate_error(location, label, fields):
    """The ReadError of a fixture object holding a lone surrogate, naming its field."""
    field = ""
    if isinstance(fields, dict):
        field = next((name for name, value in fields.items() if _holds_surrogate([name, value])), "")
    escaped = [str(part).encode("utf-8", "backslashreplace").decode("utf-8") for part in (label, field)]
    return ReadError(
        location,
        "a lone surrogate (an escape such as \\udc80 that stands for no character) is not text",
        *escaped,
    )


def _csv_key(cell):
    parts = [part.strip() for part in cell.split(KEY_SEPARATOR)]
    return parts if len(parts) > 1 else parts[0]


def _csv_value(spec, name, cell, list_fields):
    """A CSV cell as the fixture value of the field (docs/data-model.md, "Files: fixtures and
    CSV"). A cell the exporters wrote with a quote before a would-be formula (``'=…``, see
    ``apps.common.cells``) loses that one quote."""
    field = spec.fields[name]
    cell = restore_formula(cell.strip())
    if name in spec.many_to_many:
        return [_csv_key(item) for item in cell.split(LIST_SEPARATOR) if item.strip()]
    if name in spec.foreign_keys:
        return _csv_key(cell) if cell else None
    if name in list_fields:
        return [item.strip() for item in cell.split(LIST_SEPARATOR) if item.strip()]
    if field.get_internal_type() == "JSONField":
        if not cell:
            return {}
        try:
            return nesting.loads(cell)
        except json.JSONDecodeError as exc:
            raise ValueError(f"malformed JSON in the cell: {exc.msg}") from exc
    if field.get_internal_type() == "BooleanField":
        lowered = cell.lower()
        if lowered in {"true", "yes", "1", "t"}:
            return True
        if lowered in {"false", "no", "0", "f", ""}:
            return False
        return cell
    if cell == "" and field.null:
        return None
    return cell


def _shallow(text, start=0, end=None):
    """Whether ``text[start:end]`` holds no more than ``nesting.MAX_DEPTH`` brackets (those in
    strings counted too): no value in it can nest deeper."""
    end = len(text) if end is None else end
    return text.count("[", start, end) + text.count("{", start, end) <= nesting.MAX_DEPTH


def _iter_json_array(stream):
    """Yield the objects of a top-level JSON array one at a time, each with whether its text
    holds a ``\\u`` escape and whether it is ``_shallow`` (``(object, escaped, shallow)``), or a
    ReadError."""
    decoder = json.JSONDecoder()
    buffer = stream.read(CHUNK)
    eof = len(buffer) < CHUNK
    position = 0
    lines_before = 0  # newlines in text already dropped from the buffer

    def where(pos):
        line = lines_before + buffer.count("\n", 0, pos) + 1
        column = pos - (buffer.rfind("\n", 0, pos) + 1) + 1
        return f"line {line}, column {column}"

    def skip_space(pos):
        while pos < len(buffer) and buffer[pos] in " \t\r\n":
            pos += 1
        return pos

    position = skip_space(position)
    if position >= len(buffer):
        return
    if buffer[position] != "[":
        yield ReadError(Location("", where(position)), "malformed JSON: a fixture is a JSON array of objects")
        return
    position += 1
    expect_value = True
    first = True
    while True:
        position = skip_space(position)
        while position >= len(buffer) and not eof:
            more = stream.read(CHUNK)
            eof = len(more) < CHUNK
            lines_before += buffer.count("\n", 0, position)
            buffer, position = buffer[position:] + more, 0
            position = skip_space(position)
        if position >= len(buffer):
            yield ReadError(Location("", where(position)), "malformed JSON: the array is not closed")
            return
        char = buffer[position]
        if char == "]" and (first or not expect_value):
            return
        if not expect_value:
            if char != ",":
                yield ReadError(Location("", where(position)), "malformed JSON: expected ',' or ']'")
                return
            position += 1
            expect_value = True
            continue
        while True:
            try:
                obj, end = nesting.raw_decode(buffer, position, decoder)
                break
            except json.JSONDecodeError as exc:
                if eof:
                    yield ReadError(Location("", where(exc.pos)), f"malformed JSON: {exc.msg}")
                    return
                more = stream.read(CHUNK)
                eof = len(more) < CHUNK
                lines_before += buffer.count("\n", 0, position)
                buffer, position = buffer[position:] + more, 0
        yield obj, buffer.find("\\u", position, end) != -1, _shallow(buffer, position, end)
        position = end
        expect_value = False
        first = False
        if position > CHUNK:
            lines_before += buffer.count("\n", 0, position)
            buffer, position = buffer[position:], 0
