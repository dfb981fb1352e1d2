"""The first pass of a load: read every record, check its model and fields, work out its
natural key and the keys it refers to, and look up which of them are stored
(``apps/ingest/loader/__init__.py`` tells the whole story)."""

from contextlib import suppress

from apps.common import nesting
from apps.common.nul import NUL, NUL_MESSAGE, nul_message, nul_path
from apps.ingest.loader.keys import BadKey, existing_keys, record_key
from apps.ingest.services.contract import NOT_FROM_RECORDS, contract_specs, spec_for_label
from apps.ingest.services.records import ReadError

# -- pass 1: scan ------------------------------------------------------------------------------


def scan(load):
    """Read every record: check it, note its key and the keys it refers to; keep it while
    the load is small. Then look up which of the keys are stored."""
    for source in load.sources:
        for item in source.records():
            if isinstance(item, ReadError):
                load.error(item.location, item.model, item.field, item.message)
                continue
            load.total += 1
            if load.kept is not None:
                load.kept.append(item)
                if len(load.kept) > load.keep_records:
                    load.kept = None  # a large load: read the sources again to apply it
            _scan_record(load, item)
    for spec in contract_specs():
        keys = set(load.in_load.get(spec, ())) | load.referenced.get(spec, set())
        if not keys:
            continue
        found = existing_keys(spec, keys)
        load.pk_of[spec].update(found)
        load.existing_pks[spec].update(found.values())


def _scan_record(load, record):
    """Check a record's model, fields and natural key, and note its key and references;
    a record that fails is reported and skipped by the apply pass."""
    spec = spec_for_label(record.label)
    if spec is None:
        load.error(record.location, record.label or "", "", f"unknown model {record.label!r}")
        load.skip.add(record.location)
        return
    if not isinstance(record.fields, dict):
        load.error(record.location, spec.label, "", "'fields' must be an object")
        load.skip.add(record.location)
        return
    # A field holding a NUL is reported and never read (PostgreSQL refuses a NUL even in a
    # query), and so is one nesting lists and objects too deep (it would break whatever walks
    # it); the record is not applied, but its key still counts when the field is another.
    refused = set()
    if not record.plain:
        refused = _fields_with_nul(load, spec, record)
        refused |= _fields_too_deep(load, spec, record, refused)
    if refused:
        load.skip.add(record.location)
        if any(name in refused for name, _ in spec.key_parts):
            return
    unknown = [
        name
        for name in record.fields
        if name not in spec.fields and name not in NOT_FROM_RECORDS and name not in refused
    ]
    for name in unknown:
        load.error(record.location, spec.label, name, f"unknown field (fields: {', '.join(spec.field_names)})")
    try:
        key = record_key(spec, record.fields)
    except BadKey as exc:
        load.error(record.location, spec.label, exc.field, str(exc))
        load.skip.add(record.location)
        return
    first = load.in_load[spec].get(key)
    if first is not None:
        load.error(record.location, spec.label, "", f"duplicate natural key {list(key)}, first at {first}")
        load.skip.add(record.location)
        return
    load.in_load[spec][key] = record.location
    load.key_at[(spec, record.location)] = key
    if unknown:
        load.skip.add(record.location)
    _note_references(load, spec, record.fields, refused)


def _fields_too_deep(load, spec, record, skipped):
    """Report every field of a record (but those ``skipped``) whose value nests lists and
    objects more than ``nesting.MAX_DEPTH`` levels deep; return their names."""
    found = set()
    for name, value in record.fields.items():
        if isinstance(value, list | dict) and name not in skipped and nesting.too_deep(value):
            load.error(record.location, spec.label, name, nesting.DEPTH_MESSAGE)
            found.add(name)
    return found


def _fields_with_nul(load, spec, record):
    """Report every field of a record that holds a NUL character (in its name, its value, or
    any string or key inside a list or object); return their names."""
    found = set()
    for name, value in record.fields.items():
        if isinstance(name, str) and NUL in name:
            load.error(record.location, spec.label, name.replace(NUL, "\\x00"), f"{NUL_MESSAGE} (in the field name)")
            found.add(name)
            continue
        if isinstance(value, str):
            path = "" if NUL in value else None
        elif isinstance(value, list | dict):
            path = nul_path(value)
        else:
            continue
        if path is not None:
            load.error(record.location, spec.label, name, nul_message(path))
            found.add(name)
    return found


def _note_references(load, spec, fields, skipped=()):
    """Note the keys a record refers to, but for the fields ``skipped``. A malformed reference
    is reported with its field when the record is applied."""
    for name in spec.foreign_keys:
        if name in skipped:
            continue
        value = fields.get(name)
        if value not in (None, ""):
            with suppress(BadKey):
                target = spec.target(name)
                load.referenced[target].add(load.reference_key(target, value))
    for name in spec.many_to_many:
        values = fields.get(name)
        if isinstance(values, list) and name not in skipped:
            target = spec.target(name)
            for value in values:
                with suppress(BadKey):
                    load.referenced[target].add(load.reference_key(target, value))
