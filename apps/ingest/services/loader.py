"""The validating loader: every object checked, every error reported, all or nothing.

A load of up to ``KEEP_RECORDS`` records is read once and kept in memory; a larger one
reads its sources twice and holds only natural keys in memory, so it streams:

1. *Scan*: read every record, check its model and field names, work out its natural key,
   and note every key it refers to. Then look up, in one query per model and chunk, which
   of those keys already exist, and give every new object its primary key in advance (from
   the table's sequence on PostgreSQL, after the current maximum on SQLite). With every key
   resolved, a record may refer forward to one later in the same file or in another file.
2. *Apply*: take the records again (kept, or read again) in batches of one model; for each
   batch fetch the stored rows in one query, build the instances, run the model's own validation
   (``clean_fields()``, ``clean()``, its check constraints evaluated in Python), compare with
   the stored row, and write the new and changed rows with ``bulk_create``/``bulk_update``,
   their history rows through simple-history's ``bulk_history_create``, their
   many-to-many rows in bulk, and the links each new history row holds.

The whole apply pass runs in one transaction; the first error stops the writing, the
validation goes on to the end so that every error is reported, and the transaction is rolled
back. Foreign keys are checked by the database at commit (Django declares them deferred), so
the order in which records arrive does not matter.

Fields a record leaves out keep their stored value on an update and take the model default on
a create; a many-to-many field that is given replaces the stored set.
"""

import json
import operator
import re
import sys
from collections import defaultdict
from contextlib import suppress
from itertools import islice

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.db.models.expressions import F
from django.utils import timezone
from tqdm import tqdm

from apps.common.history import link_columns, link_history_columns, link_history_model, tracked_link_fields
from apps.ingest.services.contract import BOOKKEEPING, CONTRACT_MODELS, contract_specs, spec_for_label
from apps.ingest.services.records import LoadError, LoadFailed, LoadReport, ReadError, Record

BATCH_SIZE = 2000
# Loads of up to this many records are read once and kept for the apply pass; larger ones
# are read again, so that memory stays flat whatever the size of the load.
KEEP_RECORDS = 50_000
LOOKUP_CHUNK = 2000


class _KeyError(Exception):
    pass


def as_key(value):
    """A reference as written in a record: a list (natural key) or a plain value."""
    if isinstance(value, list | tuple):
        if not value or any(isinstance(part, list | tuple | dict) for part in value):
            raise _KeyError(f"{value!r} is not a natural key")
        return tuple(str(part) if part is not None else None for part in value)
    if isinstance(value, dict | bool):
        raise _KeyError(f"{value!r} is not a natural key")
    return (str(value),)


def record_key(spec, fields):
    """The natural key of the object a record describes, normalised as its model does."""
    parts = []
    for name, is_fk in spec.key_parts:
        value = fields.get(name)
        if value is None or value == "" or value == []:
            raise _KeyError(f"the natural key field {name!r} is missing")
        if is_fk:
            parts.extend(spec.target(name).normalize_key(as_key(value)))
        elif isinstance(value, list | dict):
            raise _KeyError(f"{name} must be a single value")
        else:
            parts.append(str(value))
    return spec.normalize_key(parts)


def _chunks(iterable, size):
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def existing_keys(spec, keys):
    """Map the keys that exist in the database to their primary keys: one query per chunk."""
    found = {}
    paths = spec.model.NATURAL_KEY
    for chunk in _chunks(keys, LOOKUP_CHUNK):
        filters = {f"{path}__in": sorted({key[i] for key in chunk}) for i, path in enumerate(paths)}
        wanted = set(chunk)
        for row in spec.model._base_manager.filter(**filters).values_list("pk", *paths):
            key = spec.normalize_key(tuple(str(part) for part in row[1:]))
            if key in wanted:
                found[key] = row[0]
    return found


def _allocate_pks(model, count):
    """Primary keys for ``count`` new rows of ``model``, taken before any row is written."""
    if not count:
        return []
    table = model._meta.db_table
    pk_column = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk_column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        quote = connection.ops.quote_name
        cursor.execute(f"SELECT COALESCE(MAX({quote(pk_column)}), 0) FROM {quote(table)}")
        start = cursor.fetchone()[0] + 1
        return list(range(start, start + count))


# Check constraints evaluated in Python: the lookups the contract's constraints use. NULL
# makes a comparison unknown, and a CHECK passes on unknown, as in SQL.
_LOOKUPS = {
    "exact": lambda a, b: a == b,
    "gte": lambda a, b: a >= b,
    "gt": lambda a, b: a > b,
    "lte": lambda a, b: a <= b,
    "lt": lambda a, b: a < b,
    "regex": lambda a, b: re.search(b, a) is not None,
    "in": lambda a, b: a in b,
}


def _operand(instance, value):
    if isinstance(value, F):
        return getattr(instance, instance._meta.get_field(value.name).attname)
    return value


def _q_value(q, instance):
    """True, False or None (unknown) for a Q object against an unsaved instance."""
    results = []
    for child in q.children:
        if isinstance(child, models.Q):
            results.append(_q_value(child, instance))
            continue
        lookup, expected = child
        name, _, op = lookup.partition("__")
        op = op or "exact"
        actual = getattr(instance, instance._meta.get_field(name).attname)
        if op == "isnull":
            results.append((actual is None) == bool(expected))
            continue
        expected = _operand(instance, expected)
        if actual is None or expected is None:
            results.append(None)
            continue
        try:
            results.append(_LOOKUPS[op](actual, expected))
        except TypeError:
            results.append(None)
    if q.connector == models.Q.AND:
        value = False if False in results else (None if None in results else True)
    else:
        value = True if True in results else (None if None in results else False)
    if q.negated and value is not None:
        value = not value
    return value


def check_constraints(spec, instance):
    """Messages of the check constraints the instance breaks."""
    return [
        constraint.violation_error_message
        for constraint in spec.check_constraints
        if _q_value(constraint.condition, instance) is False
    ]


def _validation_messages(error):
    if hasattr(error, "error_dict"):
        return {name: [m for e in errors for m in e.messages] for name, errors in error.error_dict.items()}
    return {"": error.messages}


class _Load:
    def __init__(self, sources, *, user, dry_run, batch_size, progress, change_reason):
        self.sources = sources
        self.user = user
        self.user_id = user.pk if user is not None else None
        self.dry_run = dry_run
        self.batch_size = batch_size
        self.progress = progress
        self.change_reason = change_reason
        self.report = LoadReport(dry_run=dry_run)
        self.now = timezone.now()
        self.in_load = defaultdict(dict)  # spec -> {key: Location of its first record}
        self.referenced = defaultdict(set)  # spec -> {key}
        self.pk_of = defaultdict(dict)  # spec -> {key: pk}, existing and allocated
        self.existing_pks = defaultdict(set)  # spec -> {pk} of rows already stored
        self.skip = set()  # locations of records rejected while scanning
        self.key_at = {}  # (spec, Location) -> natural key worked out while scanning
        self.normalized = {}  # (spec, reference as written) -> its normalised natural key
        self.total = 0
        self.kept = []  # the records read while scanning, while there are few enough to keep

    # -- errors ----------------------------------------------------------------------------

    def error(self, location, model="", field="", message=""):
        self.report.errors.append(LoadError(location, model, field, message))

    @property
    def writing(self):
        return not self.dry_run and not self.report.errors

    def reference_key(self, target, value):
        """The normalised natural key a reference to ``target`` is written as. The same few
        references (countries, sources) recur on most records, so each is worked out once."""
        # The type is part of the cache key: True == 1, yet only 1 is a valid reference.
        written = (type(value), tuple(value) if isinstance(value, list) else value)
        try:
            return self.normalized[(target, written)]
        except KeyError:
            pass
        except TypeError:  # an unhashable value: as_key reports it
            return target.normalize_key(as_key(value))
        key = self.normalized[(target, written)] = target.normalize_key(as_key(value))
        return key

    # -- pass 1 ------------------------------------------------------------------------------

    def scan(self):
        for source in self.sources:
            for item in source.records():
                if isinstance(item, ReadError):
                    self.error(item.location, item.model, item.field, item.message)
                    continue
                self.total += 1
                if self.kept is not None:
                    self.kept.append(item)
                    if len(self.kept) > KEEP_RECORDS:
                        self.kept = None  # a large load: read the sources again to apply it
                self._scan_record(item)
        for spec in contract_specs():
            keys = set(self.in_load.get(spec, ())) | self.referenced.get(spec, set())
            if not keys:
                continue
            found = existing_keys(spec, keys)
            self.pk_of[spec].update(found)
            self.existing_pks[spec].update(found.values())

    def _scan_record(self, record):
        spec = spec_for_label(record.label)
        if spec is None:
            self.error(record.location, record.label or "", "", f"unknown model {record.label!r}")
            self.skip.add(record.location)
            return
        if not isinstance(record.fields, dict):
            self.error(record.location, spec.label, "", "'fields' must be an object")
            self.skip.add(record.location)
            return
        unknown = [name for name in record.fields if name not in spec.fields and name not in BOOKKEEPING]
        for name in unknown:
            self.error(record.location, spec.label, name, f"unknown field (fields: {', '.join(spec.field_names)})")
        try:
            key = record_key(spec, record.fields)
        except _KeyError as exc:
            self.error(record.location, spec.label, "", str(exc))
            self.skip.add(record.location)
            return
        first = self.in_load[spec].get(key)
        if first is not None:
            self.error(record.location, spec.label, "", f"duplicate natural key {list(key)}, first at {first}")
            self.skip.add(record.location)
            return
        self.in_load[spec][key] = record.location
        self.key_at[(spec, record.location)] = key
        if unknown:
            self.skip.add(record.location)
        for name in spec.foreign_keys:
            value = record.fields.get(name)
            if value not in (None, ""):
                # A malformed reference is reported with its field when the record is applied.
                with suppress(_KeyError):
                    target = spec.target(name)
                    self.referenced[target].add(self.reference_key(target, value))
        for name in spec.many_to_many:
            values = record.fields.get(name)
            if isinstance(values, list):
                target = spec.target(name)
                for value in values:
                    with suppress(_KeyError):
                        self.referenced[target].add(self.reference_key(target, value))

    def allocate(self):
        counter = 0
        for spec, keys in self.in_load.items():
            new_keys = [key for key in keys if key not in self.pk_of[spec]]
            if self.dry_run:
                # Never written: placeholders that cannot collide with stored rows.
                pks = list(range(-counter - 1, -counter - len(new_keys) - 1, -1))
                counter += len(new_keys)
            else:
                pks = _allocate_pks(spec.model, len(new_keys))
            self.pk_of[spec].update(zip(new_keys, pks, strict=True))

    # -- pass 2 ------------------------------------------------------------------------------

    def apply(self):
        buffers = defaultdict(list)
        bar = tqdm(total=self.total, disable=not self.progress, unit="obj", file=sys.stderr, desc="loading")
        items = self.kept if self.kept is not None else (item for s in self.sources for item in s.records())
        for item in items:
            if isinstance(item, ReadError) or item.location in self.skip:
                continue
            spec = spec_for_label(item.label)
            buffers[spec].append(item)
            if len(buffers[spec]) >= self.batch_size:
                self._apply_batch(spec, buffers.pop(spec))
                bar.update(self.batch_size)
        for spec in contract_specs():
            batch = buffers.pop(spec, None)
            if batch:
                self._apply_batch(spec, batch)
                bar.update(len(batch))
        bar.close()

    def _resolve(self, spec, name, value, record):
        """The primary key a reference points to, or None after reporting it."""
        target = spec.target(name)
        try:
            key = self.reference_key(target, value)
        except _KeyError as exc:
            self.error(record.location, spec.label, name, str(exc))
            return None
        pk = self.pk_of[target].get(key)
        if pk is None:
            self.error(
                record.location,
                spec.label,
                name,
                f"unknown {target.label} {list(key)} (not in the database or this load)",
            )
        return pk

    def _apply_batch(self, spec, batch):
        model = spec.model
        counts = self.report.count(spec.label)
        keyed = [(record, self.pk_of[spec][self.key_at[(spec, record.location)]]) for record in batch]
        existing = [pk for _, pk in keyed if pk in self.existing_pks[spec]]
        stored = {}
        stored_links = {}
        if existing:
            attnames = [field.attname for field in model._meta.concrete_fields]
            stored = {row["id"]: row for row in model._base_manager.filter(pk__in=existing).values(*attnames)}
            given = {name for record in batch for name in record.fields if name in spec.many_to_many}
            for name in given:
                stored_links[name] = self._stored_links(spec, name, existing)
        created, changed, links = [], [], []
        for record, pk in keyed:
            instance, wanted_links = self._build(spec, record, pk, stored.get(pk))
            if instance is None:
                continue
            row = stored.get(pk)
            if row is None:
                instance.created_at = instance.updated_at = self.now
                instance.created_by_id = instance.updated_by_id = self.user_id
                instance.version = 1
                created.append(instance)
                counts.created += 1
                links.extend((name, pk, targets, {}) for name, targets in wanted_links.items())
                continue
            link_changes = {name: (targets, stored_links[name].get(pk, {})) for name, targets in wanted_links.items()}
            differs = any(getattr(instance, a) != row[a] for a in spec.content_attnames) or any(
                set(targets) != set(old) for targets, old in link_changes.values()
            )
            if not differs:
                counts.unchanged += 1
                continue
            instance.updated_at = self.now
            instance.updated_by_id = self.user_id
            instance.version = row["version"] + 1
            changed.append(instance)
            counts.updated += 1
            links.extend((name, pk, targets, old) for name, (targets, old) in link_changes.items())
        if self.writing:
            self._write(spec, created, changed, links)

    def _stored_links(self, spec, name, pks):
        """{object pk: {target pk: through-row pk}} for one many-to-many field."""
        field = spec.many_to_many[name]
        through = field.remote_field.through
        source, target = link_columns(field)
        result = defaultdict(dict)
        for chunk in _chunks(pks, LOOKUP_CHUNK):
            for row_pk, source_pk, target_pk in through._base_manager.filter(**{f"{source}__in": chunk}).values_list(
                "pk", source, target
            ):
                result[source_pk][target_pk] = row_pk
        return result

    def _build(self, spec, record, pk, row):
        """The validated instance a record describes and its wanted many-to-many targets,
        or (None, None) after reporting its errors."""
        model = spec.model
        errors_before = len(self.report.errors)
        instance = spec.new_instance(pk) if row is None else spec.stored_instance(row)
        wanted_links = {}
        for name, value in record.fields.items():
            if name in BOOKKEEPING:
                continue
            field = spec.fields[name]
            if name in spec.many_to_many:
                if value in (None, ""):
                    value = []
                if not isinstance(value, list):
                    self.error(record.location, spec.label, name, "must be a list of natural keys")
                    continue
                targets = [self._resolve(spec, name, item, record) for item in value]
                wanted_links[name] = list(dict.fromkeys(t for t in targets if t is not None))
            elif name in spec.foreign_keys:
                setattr(
                    instance, field.attname, None if value in (None, "") else self._resolve(spec, name, value, record)
                )
            else:
                setattr(instance, field.attname, value)
        for name in model.TRIMMED_FIELDS:
            value = getattr(instance, name)
            if isinstance(value, str):
                setattr(instance, name, value.strip())
        failed = {}
        try:
            normalize = getattr(instance, "normalize_fields", None)
            if normalize:
                normalize()
        except (AttributeError, TypeError):
            pass  # a value of the wrong type, which clean_fields() reports
        try:
            skipped = spec.not_cleaned if row is not None else spec.clean_fields_exclude(instance, record.fields)
            instance.clean_fields(exclude=skipped)
        except ValidationError as exc:
            failed = _validation_messages(exc)
        for name, field in spec.foreign_keys.items():
            if not field.null and getattr(instance, field.attname) is None and name not in failed:
                if name in record.fields and record.fields[name] not in (None, ""):
                    continue  # an unknown key, already reported
                failed[name] = ["This field cannot be null."]
        if not failed and len(self.report.errors) == errors_before:
            try:
                instance.clean()
            except ValidationError as exc:
                failed = _validation_messages(exc)
            if not failed:
                messages = check_constraints(spec, instance)
                if messages:
                    failed[""] = messages
        for name, messages in failed.items():
            for message in messages:
                self.error(record.location, spec.label, "" if name == "__all__" else name, message)
        if len(self.report.errors) != errors_before:
            return None, None
        return instance, wanted_links

    def _write(self, spec, created, changed, links):
        model = spec.model
        history_options = {
            "default_user": self.user,
            "default_change_reason": self.change_reason,
            "default_date": self.now,
        }
        records = []  # (historical record id, object pk): the history rows this batch writes
        if created and connection.vendor == "postgresql":
            records += _copy_created(model, created, self.now, self.user_id, self.change_reason)
        elif created:
            model._base_manager.bulk_create(created)
            records += [(r.history_id, r.id) for r in model.history.bulk_history_create(created, **history_options)]
        if changed:
            fields = [name for name in spec.fields if name not in spec.many_to_many]
            model._base_manager.bulk_update(changed, [*fields, "updated_at", "updated_by", "version"])
            history = model.history.bulk_history_create(changed, update=True, **history_options)
            records += [(r.history_id, r.id) for r in history]
        history_of = {pk: history_id for history_id, pk in records}
        self._write_links(spec, links, history_of, {obj.pk for obj in changed})

    def _write_links(self, spec, links, history_of, changed_pks):
        """The many-to-many rows of a batch, and the links each of its new history rows
        holds (``history_of``: object pk → its new history row)."""
        model = spec.model
        by_field = defaultdict(list)
        for name, pk, targets, old in links:
            by_field[name].append((pk, targets, old))
        link_history = defaultdict(list)  # field -> link rows of the new objects' history rows
        for name, items in by_field.items():
            field = spec.many_to_many[name]
            through = field.remote_field.through
            source, target = link_columns(field)
            new_pairs = []
            gone = []
            for pk, targets, old in items:
                new_pairs.extend((pk, t) for t in targets if t not in old)
                if old:
                    wanted = set(targets)
                    gone.extend(row_pk for t, row_pk in old.items() if t not in wanted)
            if gone:
                through._base_manager.filter(pk__in=gone).delete()
            if not new_pairs:
                continue
            row_pks = _allocate_pks(through, len(new_pairs))
            rows = [(row_pk, pk, t) for row_pk, (pk, t) in zip(row_pks, new_pairs, strict=True)]
            if connection.vendor == "postgresql":
                _copy(through._meta.db_table, ["id", source, target], rows)
            else:
                through._base_manager.bulk_create([through(**{"id": r, source: pk, target: t}) for r, pk, t in rows])
            # A new object's links are all new: its history rows' links are known here.
            link_history[field].extend((r, pk, t, history_of[pk]) for r, pk, t in rows if pk not in changed_pks)
        if changed_pks:
            # A changed object keeps the links it was not given: read them back.
            for field in tracked_link_fields(model):
                through = field.remote_field.through
                source, target = link_columns(field)
                for chunk in _chunks(sorted(changed_pks), LOOKUP_CHUNK):
                    stored = through._base_manager.filter(**{f"{source}__in": chunk}).values_list("pk", source, target)
                    link_history[field].extend((r, pk, t, history_of[pk]) for r, pk, t in stored)
        for field, rows in link_history.items():
            _write_link_rows(field, rows)


def _db_value(field, value):
    if isinstance(field, models.JSONField):
        return None if value is None else json.dumps(value, cls=field.encoder or DjangoJSONEncoder)
    return value


def _copy(table, columns, rows):
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
        with cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)


def _copy_created(model, created, now, user_id, change_reason):
    """New rows and their history rows with PostgreSQL COPY (the primary keys are already
    allocated). The history rows are the ones ``bulk_history_create`` writes: simple-history's
    tracked fields, then the date, type "+", user and change reason. Returns
    ``(history id, object pk)`` of each."""
    fields = model._meta.concrete_fields
    values_of = operator.attrgetter(*(f.attname for f in fields))
    json_at = [(i, f) for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
    rows = []
    for obj in created:
        row = list(values_of(obj))
        for i, field in json_at:
            row[i] = _db_value(field, row[i])
        rows.append(row)
    _copy(model._meta.db_table, [f.column for f in fields], rows)

    historical = model.history.model
    # The history row repeats the tracked fields' values, taken from the row just written.
    position = {f.attname: i for i, f in enumerate(fields)}
    tracked_at = [position[f.attname] for f in historical.tracked_fields]
    extra = {
        "history_date": now,
        "history_type": "+",
        "history_user_id": user_id,
        "history_change_reason": change_reason,
    }
    columns = [historical._meta.get_field(f.name).column for f in historical.tracked_fields] + [
        historical._meta.get_field(name.removesuffix("_id")).column for name in extra
    ]
    tail = list(extra.values())
    history_ids = _allocate_pks(historical, len(created))
    _copy(
        historical._meta.db_table,
        [historical._meta.pk.column, *columns],
        ([history_id, *(row[i] for i in tracked_at), *tail] for history_id, row in zip(history_ids, rows, strict=True)),
    )
    return list(zip(history_ids, (obj.pk for obj in created), strict=True))


def _write_link_rows(field, rows):
    """The links new historical records hold: ``(through row id, object pk, target pk,
    history id)`` rows into the field's past-links table."""
    if connection.vendor == "postgresql":
        _copy(link_history_model(field)._meta.db_table, link_history_columns(field), rows)
        return
    history_model = link_history_model(field)
    source, target = link_columns(field)
    history_model.objects.bulk_create(
        history_model(**{"id": r, source: s, target: t, "history_id": h}) for r, s, t, h in rows
    )


def load_records(sources, *, user=None, dry_run=False, batch_size=BATCH_SIZE, progress=False, change_reason="import"):
    """Validate and upsert every record of ``sources`` (objects with a ``records()`` method
    that can be read twice); return a ``LoadReport``. Nothing is written when any record is
    bad, nor on a dry run."""
    load = _Load(
        sources,
        user=user,
        dry_run=dry_run,
        batch_size=batch_size,
        progress=progress,
        change_reason=change_reason,
    )
    if dry_run:
        load.scan()
        load.allocate()
        load.apply()
        return _in_contract_order(load.report)
    try:
        with transaction.atomic():
            load.scan()
            load.allocate()
            load.apply()
            if load.report.errors:
                raise LoadFailed(load.report)
    except LoadFailed:
        pass
    return _in_contract_order(load.report)


def _error_order(error):
    number = re.search(r"\d+", error.location.where)
    return (error.location.file, int(number.group()) if number else 0)


def _in_contract_order(report):
    report.errors.sort(key=_error_order)
    report.counts = {label: report.counts[label] for label in CONTRACT_MODELS if label in report.counts}
    return report


class RecordList:
    """Records already in memory (the official lists' importers build them)."""

    def __init__(self, records):
        self._records = list(records)

    def records(self):
        return iter(self._records)


__all__ = ["RecordList", "Record", "load_records"]
