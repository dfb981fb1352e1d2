"""The passes of a load, and ``load_records``, which runs them.

``scan`` reads every record and works out its natural key and the keys it refers to, then
looks up which of them are stored; ``allocate`` gives every new object its primary key;
``apply`` reads the records again, batch by batch, builds and validates their instances and
hands the valid ones to ``writes``. The package docstring tells the whole story. The passes
share one ``Load``: the options of the load, its report, and what the scan learnt.
"""

import dataclasses
import datetime
import re
import sys
from collections import defaultdict
from contextlib import suppress
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import JSONField
from django.utils import timezone
from tqdm import tqdm

from apps.common import nesting
from apps.common.choices import ReviewStatus
from apps.common.conflicts import conflict_message, conflict_sqlstate
from apps.common.history import link_columns
from apps.common.nul import NUL, NUL_MESSAGE, nul_message, nul_path
from apps.common.registry import contract_labels
from apps.common.roles import is_reviewer
from apps.ingest.loader.constraints import check_constraints
from apps.ingest.loader.ids import allocate_pks, placeholder_pks
from apps.ingest.loader.keys import LOOKUP_CHUNK, BadKey, chunks, existing_keys, record_key, reference_keys
from apps.ingest.loader.writes import write_batch
from apps.ingest.services.contract import NOT_FROM_RECORDS, contract_specs, spec_for_label
from apps.ingest.services.records import LoadError, LoadFailed, LoadReport, Location, ReadError
from apps.transfers.findings import state_of as transfer_state
from apps.transfers.models import Transfer
from apps.transfers.signals import after_load
from apps.transfers.tallies import TALLIED

BATCH_SIZE = 2000
# Loads of up to this many records are read once and kept for the apply pass; larger ones
# are read again, so that memory stays flat whatever the size of the load. (Read here at run
# time: a test patches it on this module.)
KEEP_RECORDS = 50_000
# Where the report places a load's clash with another writer (no record is to blame).
CONFLICT_LOCATION = "(the database)"


@dataclasses.dataclass(slots=True, eq=False, kw_only=True)
class Load:
    """One load: its options, its report, and what the scan pass learnt for the others.

    The options are ``load_records``'s: ``sources``, ``user``, ``dry_run``, ``batch_size``,
    ``progress`` and ``change_reason``. The rest:

    - ``user_id``: the primary key of ``user`` (None without one), stamped on the rows.
    - ``may_publish``: whether the load may set ``review_status`` (publish or unpublish):
      a reviewer's load, or one without a user (an operator's command line).
    - ``report``: the ``LoadReport`` returned: counts per model and every error.
    - ``now``: the one time stamp of every row and history row the load writes.
    - ``in_load``: ``{spec: {natural key: Location of its first record}}``.
    - ``referenced``: ``{spec: {natural key}}``, the keys the records refer to.
    - ``pk_of``: ``{spec: {natural key: pk}}``, of stored objects and, once allocated, of new ones.
    - ``existing_pks``: ``{spec: {pk}}``, the primary keys of the rows already stored.
    - ``skip``: the ``Location`` of each record rejected while scanning, not applied.
    - ``key_at``: ``{(spec, Location): natural key}``, each record's key as the scan worked it out.
    - ``reference_key``: ``(target spec, reference as written) -> normalised natural key``,
      each reference worked out once (see ``keys.reference_keys``).
    - ``total``: the number of records read.
    - ``kept``: the records the scan read, for the apply pass; None once there are more than
      ``KEEP_RECORDS`` of them (the sources are then read again).
    - ``written``: ``{model: [pk]}`` of the records created or changed, whose findings are
      written before the load ends (``apps.transfers.signals.after_load``).
    - ``transfers_before``: the ``state_of`` of the transfers it changed, as they were.
    - ``rows_before``: ``{model: [row]}``, the stored values of the transfers and claims it
      changed, as they were: the tallies count them where they are instead.
    """

    sources: list
    user: object = None
    dry_run: bool = False
    batch_size: int = BATCH_SIZE
    progress: bool = False
    change_reason: str = "import"
    user_id: int | None = dataclasses.field(init=False)
    may_publish: bool = dataclasses.field(init=False)
    report: LoadReport = dataclasses.field(init=False)
    now: datetime.datetime = dataclasses.field(default_factory=timezone.now)
    in_load: defaultdict = dataclasses.field(default_factory=lambda: defaultdict(dict))
    referenced: defaultdict = dataclasses.field(default_factory=lambda: defaultdict(set))
    pk_of: defaultdict = dataclasses.field(default_factory=lambda: defaultdict(dict))
    existing_pks: defaultdict = dataclasses.field(default_factory=lambda: defaultdict(set))
    skip: set = dataclasses.field(default_factory=set)
    key_at: dict = dataclasses.field(default_factory=dict)
    reference_key: object = dataclasses.field(default_factory=reference_keys)
    total: int = 0
    kept: list | None = dataclasses.field(default_factory=list)
    written: defaultdict = dataclasses.field(default_factory=lambda: defaultdict(list))
    transfers_before: list = dataclasses.field(default_factory=list)
    rows_before: defaultdict = dataclasses.field(default_factory=lambda: defaultdict(list))

    def __post_init__(self):
        self.user_id = self.user.pk if self.user is not None else None
        self.may_publish = self.user is None or is_reviewer(self.user)
        self.report = LoadReport(dry_run=self.dry_run)

    def error(self, location, model="", field="", message=""):
        self.report.errors.append(LoadError(location, model, field, message))

    @property
    def writing(self):
        """Whether the batches are written: not on a dry run, and not after an error."""
        return not self.dry_run and not self.report.errors


def load_records(sources, *, user=None, dry_run=False, batch_size=BATCH_SIZE, progress=False, change_reason="import"):
    """Validate and upsert every record of ``sources`` (objects with a ``records()`` method
    that can be read twice); return a ``LoadReport``. Nothing is written when any record is
    bad, nor on a dry run."""
    load = Load(
        sources=sources,
        user=user,
        dry_run=dry_run,
        batch_size=batch_size,
        progress=progress,
        change_reason=change_reason,
    )
    if dry_run:
        _run_passes(load)
        return _in_contract_order(load.report)
    try:
        with transaction.atomic():
            _run_passes(load)
            if load.report.errors:
                raise LoadFailed(load.report)
            # The findings of what it wrote, in the same transaction: none is ever stale.
            after_load(load.written, before=load.transfers_before, rows_before=load.rows_before)
    except LoadFailed:
        pass
    except DatabaseError as error:
        # A deadlock or serialization failure with another writer: the transaction was rolled
        # back whole. Reported, not retried: the load runs again as it is (loads are idempotent).
        sqlstate = conflict_sqlstate(error)
        if sqlstate is None:
            raise
        load.error(Location(CONFLICT_LOCATION), message=conflict_message(sqlstate, 1))
    return _in_contract_order(load.report)


class RecordList:
    """Records already in memory (the official lists' importers build them)."""

    def __init__(self, records):
        self._records = list(records)

    def records(self):
        return iter(self._records)


def _run_passes(load):
    scan(load)
    allocate(load)
    apply(load)


def _in_contract_order(report):
    report.errors.sort(key=_error_order)
    report.counts = {label: report.counts[label] for label in contract_labels() if label in report.counts}
    return report


def _error_order(error):
    number = re.search(r"\d+", error.location.where)
    return (error.location.file, int(number.group()) if number else 0)


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
                if len(load.kept) > KEEP_RECORDS:
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
        if name not in skipped and nesting.too_deep(value):
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


# -- allocate ----------------------------------------------------------------------------------


def allocate(load):
    """Give every new object its primary key (placeholders on a dry run)."""
    taken = 0
    for spec, keys in load.in_load.items():
        new_keys = [key for key in keys if key not in load.pk_of[spec]]
        if load.dry_run:
            pks = placeholder_pks(len(new_keys), taken=taken)
            taken += len(new_keys)
        else:
            pks = allocate_pks(spec.model, len(new_keys))
        load.pk_of[spec].update(zip(new_keys, pks, strict=True))


# -- pass 2: apply -----------------------------------------------------------------------------


def apply(load):
    """Take the records again, in batches of one model, and apply each batch."""
    buffers = defaultdict(list)
    bar = tqdm(total=load.total, disable=not load.progress, unit="obj", file=sys.stderr, desc="loading")
    items = load.kept if load.kept is not None else (item for s in load.sources for item in s.records())
    for item in items:
        if isinstance(item, ReadError) or item.location in load.skip:
            continue
        spec = spec_for_label(item.label)
        buffers[spec].append(item)
        if len(buffers[spec]) >= load.batch_size:
            _apply_batch(load, spec, buffers.pop(spec))
            bar.update(load.batch_size)
    for spec in contract_specs():
        batch = buffers.pop(spec, None)
        if batch:
            _apply_batch(load, spec, batch)
            bar.update(len(batch))
    bar.close()


def _apply_batch(load, spec, batch):
    """Build and validate a batch's instances, count them as created, updated or unchanged
    against the stored rows, and write them unless the load is not writing."""
    counts = load.report.count(spec.label)
    keyed = [(record, load.pk_of[spec][load.key_at[(spec, record.location)]]) for record in batch]
    existing = [pk for _, pk in keyed if pk in load.existing_pks[spec]]
    stored, stored_links = _stored(spec=spec, batch=batch, existing=existing)
    now = load.now
    user_id = load.user_id
    created, changed, links = [], [], []
    for record, pk in keyed:
        instance, wanted_links = _build(load, spec, record, pk, stored.get(pk))
        if instance is None:
            continue
        row = stored.get(pk)
        if row is None:
            instance.created_at = instance.updated_at = now
            instance.created_by_id = instance.updated_by_id = user_id
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
        instance.updated_at = now
        instance.updated_by_id = user_id
        instance.version = row["version"] + 1
        if spec.model is Transfer:  # the caps it counted under before: their totals change too
            load.transfers_before.append(transfer_state(SimpleNamespace(**row)))
        if spec.model in TALLIED:  # counted in the tallies where it was: moved once written
            load.rows_before[spec.model].append(row)
        changed.append(instance)
        counts.updated += 1
        links.extend((name, pk, targets, old) for name, (targets, old) in link_changes.items())
    if load.writing:
        load.written[spec.model].extend(instance.pk for instance in (*created, *changed))
        write_batch(
            spec=spec,
            created=created,
            changed=changed,
            links=links,
            user=load.user,
            now=now,
            change_reason=load.change_reason,
        )


def _stored(*, spec, batch, existing):
    """The stored rows of a batch's ``existing`` objects as ``{pk: values()}``, and for each
    many-to-many field the batch gives, their stored links as ``_stored_links`` reads them."""
    if not existing:
        return {}, {}
    attnames = [field.attname for field in spec.model._meta.concrete_fields]
    stored = {row["id"]: row for row in spec.model._base_manager.filter(pk__in=existing).values(*attnames)}
    given = {name for record in batch for name in record.fields if name in spec.many_to_many}
    stored_links = {name: _stored_links(spec=spec, name=name, pks=existing) for name in given}
    return stored, stored_links


def _stored_links(*, spec, name, pks):
    """{object pk: {target pk: through-row pk}} for one many-to-many field."""
    field = spec.many_to_many[name]
    through = field.remote_field.through
    source, target = link_columns(field)
    result = defaultdict(dict)
    for chunk in chunks(pks, LOOKUP_CHUNK):
        for row_pk, source_pk, target_pk in through._base_manager.filter(**{f"{source}__in": chunk}).values_list(
            "pk", source, target
        ):
            result[source_pk][target_pk] = row_pk
    return result


def _resolve(load, spec, name, value, record):
    """The primary key a reference points to, or None after reporting it."""
    target = spec.target(name)
    try:
        key = load.reference_key(target, value)
    except BadKey as exc:
        load.error(record.location, spec.label, name, str(exc))
        return None
    pk = load.pk_of[target].get(key)
    if pk is None:
        load.error(
            record.location,
            spec.label,
            name,
            f"unknown {target.label} {list(key)} (not in the database or this load)",
        )
    return pk


def _build(load, spec, record, pk, row):
    """The validated instance a record describes and its wanted many-to-many targets,
    or (None, None) after reporting its errors. ``row`` is the stored row (``values()``),
    None for a new object."""
    errors_before = len(load.report.errors)
    instance = spec.new_instance(pk) if row is None else spec.stored_instance(row)

    # The record's fields onto the instance, its references resolved to primary keys.
    wanted_links = {}
    for name, value in record.fields.items():
        if name in NOT_FROM_RECORDS:
            continue
        field = spec.fields[name]
        if name in spec.many_to_many:
            if value in (None, ""):
                value = []
            if not isinstance(value, list):
                load.error(record.location, spec.label, name, "must be a list of natural keys")
                continue
            targets = [_resolve(load, spec, name, item, record) for item in value]
            wanted_links[name] = list(dict.fromkeys(t for t in targets if t is not None))
        elif name in spec.foreign_keys:
            setattr(instance, field.attname, None if value in (None, "") else _resolve(load, spec, name, value, record))
        elif isinstance(value, list | dict) and not isinstance(field, JSONField):
            # A field's to_python() would store str(value) ("['a']") or fail outside validation.
            load.error(
                record.location, spec.label, name, f"must be a single value, not {type(value).__name__} {value!r}"
            )
        # clean_fields() skips an empty value of a blank=True field: None where NULL is not
        # allowed, or "" for a date or a number, would only fail when written.
        elif value is None and not field.null:
            load.error(record.location, spec.label, name, field.error_messages["null"])
        elif value == "" and not field.empty_strings_allowed:
            if field.null:
                setattr(instance, field.attname, None)
            else:
                load.error(record.location, spec.label, name, field.error_messages["blank"])
        else:
            setattr(instance, field.attname, value)
    for name in spec.model.TRIMMED_FIELDS:
        value = getattr(instance, name)
        if isinstance(value, str):
            setattr(instance, name, value.strip())
    if not load.may_publish:
        _check_review_status(load, spec, record, instance, row)

    # The model's own validation: clean_fields(), then clean() and the check constraints.
    failed = {}
    try:
        normalize = getattr(instance, "normalize_fields", None)
        if normalize:
            normalize()
    except (AttributeError, TypeError):
        pass  # a value of the wrong type, which clean_fields() reports
    skipped = spec.not_cleaned if row is not None else spec.clean_fields_exclude(instance, record.fields)
    try:
        instance.clean_fields(exclude=skipped)
    except ValidationError as exc:
        failed = _validation_messages(exc)
    except (TypeError, OverflowError):
        failed = _clean_fields_one_by_one(instance, skipped)
    for name, field in spec.foreign_keys.items():
        if not field.null and getattr(instance, field.attname) is None and name not in failed:
            if name in record.fields and record.fields[name] not in (None, ""):
                continue  # an unknown key, already reported
            failed[name] = ["This field cannot be null."]
    if not failed and len(load.report.errors) == errors_before:
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
            load.error(record.location, spec.label, "" if name == "__all__" else name, message)
    if len(load.report.errors) != errors_before:
        return None, None
    return instance, wanted_links


def _clean_fields_one_by_one(instance, skipped):
    """``clean_fields()`` field by field, after one of them raised something other than a
    ``ValidationError``: a value of a type its ``to_python()`` does not expect (a number for a
    date, an infinite number for an integer). Such a value is reported as the field's invalid
    value; ``{field name: [message]}`` as ``_validation_messages`` gives them."""
    names = [field.name for field in instance._meta.concrete_fields if field.name not in skipped]
    failed = {}
    for name in names:
        try:
            instance.clean_fields(exclude={*skipped, *(other for other in names if other != name)})
        except ValidationError as exc:
            failed.update(_validation_messages(exc))
        except (TypeError, OverflowError):
            field = instance._meta.get_field(name)
            value = getattr(instance, field.attname)
            invalid = field.error_messages.get("invalid", "“%(value)s” is not a valid value.")
            failed[name] = [invalid % {"value": value}]
    return failed


def _check_review_status(load, spec, record, instance, row):
    """Publishing and unpublishing are a reviewer's decision (docs/data-model.md, "Who may see
    and do what"), in a load as in the admin and the API: a record of a load that may not
    publish may create a curated record only as a draft, and may not change a stored record's
    ``review_status``. (A value that is not a status at all is left to ``clean_fields()``.)"""
    if "review_status" not in record.fields or "review_status" not in spec.fields:
        return
    wanted = instance.review_status
    current = row["review_status"] if row is not None else ReviewStatus.DRAFT.value
    if wanted == current or wanted not in ReviewStatus.values:
        return
    load.error(
        record.location,
        spec.label,
        "review_status",
        f"only reviewers publish or unpublish records: {load.user} is not a reviewer "
        f"({'a new record' if row is None else 'the stored record'} is {current!r}, the file gives {wanted!r})",
    )


def _validation_messages(error):
    """``{field name: [message]}`` of a ``ValidationError`` (``""`` for one not tied to a field)."""
    if hasattr(error, "error_dict"):
        return {name: [m for e in errors for m in e.messages] for name, errors in error.error_dict.items()}
    return {"": error.messages}
