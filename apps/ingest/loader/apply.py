"""The last pass of a load: read the records again, batch by batch, build and validate their
instances against the stored rows and hand the valid ones to ``writes``
(``apps/ingest/loader/__init__.py`` tells the whole story)."""

import sys
from collections import defaultdict
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.db.models import JSONField
from tqdm import tqdm

from apps.common.choices import ReviewStatus
from apps.common.history import link_columns
from apps.ingest.loader.constraints import check_constraints
from apps.ingest.loader.keys import LOOKUP_CHUNK, BadKey, chunks
from apps.ingest.loader.writes import write_batch
from apps.ingest.services.contract import NOT_FROM_RECORDS, contract_specs, spec_for_label
from apps.ingest.services.records import ReadError
from apps.transfers.findings import state_of as transfer_state
from apps.transfers.models import Transfer
from apps.transfers.tallies import TALLIED

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
        spec.clean_fields(instance, skipped)
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
