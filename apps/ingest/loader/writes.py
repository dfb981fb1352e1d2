"""The writes of one batch of one model: its new and changed objects, their history rows,
their many-to-many rows and the links each new history row holds.

On PostgreSQL the new objects, their history rows, the new many-to-many rows and the
link-history rows go in with ``COPY`` (their primary keys are allocated beforehand, see
``ids``); elsewhere with ``bulk_create`` and simple-history's ``bulk_history_create``.
Changed objects are written with ``bulk_update`` and ``bulk_history_create`` everywhere.
Nothing here validates: the apply pass hands over only valid objects.
"""

from collections import defaultdict

from django.db import connection

from apps.common.bulk import copy_rows, copy_values
from apps.common.history import link_columns, link_history_columns, link_history_model, tracked_link_fields
from apps.ingest.loader.ids import allocate_pks
from apps.ingest.loader.keys import LOOKUP_CHUNK, chunks


def write_batch(*, spec, created, changed, links, user, now, change_reason):
    """Write a batch: the ``created`` and ``changed`` instances of ``spec``'s model, with their
    history rows stamped ``now``, ``user`` and ``change_reason``, and the many-to-many
    ``links`` given as ``(field name, object pk, wanted target pks, {stored target pk:
    through-row pk})``."""
    # Bulk writes send no signals; the data version's triggers still see them (apps.common.dataversion).
    history_of = _write_created(spec=spec, created=created, user=user, now=now, change_reason=change_reason)
    history_of |= _write_changed(spec=spec, changed=changed, user=user, now=now, change_reason=change_reason)
    write_links(spec=spec, links=links, history_of=history_of, changed_pks={obj.pk for obj in changed})


def _history_options(*, user, now, change_reason):
    """The stamp of the history rows, as ``bulk_history_create`` takes it."""
    return {"default_user": user, "default_change_reason": change_reason, "default_date": now}


def _write_created(*, spec, created, user, now, change_reason):
    """New objects and their history rows; returns ``{object pk: history id}``."""
    if not created:
        return {}
    model = spec.model
    if connection.vendor == "postgresql":
        user_id = user.pk if user is not None else None
        return copy_created(model, created, now, user_id, change_reason)
    model._base_manager.bulk_create(created)
    history_options = _history_options(user=user, now=now, change_reason=change_reason)
    return {r.id: r.history_id for r in model.history.bulk_history_create(created, **history_options)}


def _write_changed(*, spec, changed, user, now, change_reason):
    """Changed objects (every field a record may give, and the bookkeeping) and their
    history rows; returns ``{object pk: history id}``."""
    if not changed:
        return {}
    model = spec.model
    fields = [name for name in spec.fields if name not in spec.many_to_many]
    model._base_manager.bulk_update(changed, [*fields, "updated_at", "updated_by", "version"])
    history_options = _history_options(user=user, now=now, change_reason=change_reason)
    history = model.history.bulk_history_create(changed, update=True, **history_options)
    return {r.id: r.history_id for r in history}


def write_links(*, spec, links, history_of, changed_pks):
    """The many-to-many rows of a batch (``links`` as ``write_batch`` takes them), and the
    links each of its new history rows holds (``history_of``: object pk -> its new history
    row; ``changed_pks``: the objects that were stored before)."""
    by_field = defaultdict(list)
    for name, pk, targets, old in links:
        by_field[name].append((pk, targets, old))
    # field -> (through row id, object pk, target pk, history id) of the new history rows
    link_history = defaultdict(list)
    for name, items in by_field.items():
        field = spec.many_to_many[name]
        rows = _write_many_to_many(field, items)
        if rows:
            # A new object's links are all new: its history rows' links are known here.
            link_history[field].extend((r, pk, t, history_of[pk]) for r, pk, t in rows if pk not in changed_pks)
    if changed_pks:
        # A changed object keeps the links it was not given: read them back.
        for field in tracked_link_fields(spec.model):
            link_history[field].extend(_stored_link_history(field, changed_pks, history_of))
    for field, rows in link_history.items():
        write_link_history(field, rows)


def _write_many_to_many(field, items):
    """Delete the through rows no longer wanted and write the new ones, for ``items`` of
    ``(object pk, wanted target pks, {stored target pk: through-row pk})``; returns the new
    rows as ``(through row id, object pk, target pk)``."""
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
        return []
    row_pks = allocate_pks(through, len(new_pairs))
    rows = [(row_pk, pk, t) for row_pk, (pk, t) in zip(row_pks, new_pairs, strict=True)]
    if connection.vendor == "postgresql":
        copy_rows(through._meta.db_table, ["id", source, target], rows)
    else:
        through._base_manager.bulk_create([through(**{"id": r, source: pk, target: t}) for r, pk, t in rows])
    return rows


def _stored_link_history(field, pks, history_of):
    """The link-history rows of the stored links of objects ``pks`` (read back after the
    batch's many-to-many rows are written), for their new history rows."""
    through = field.remote_field.through
    source, target = link_columns(field)
    rows = []
    for chunk in chunks(sorted(pks), LOOKUP_CHUNK):
        stored = through._base_manager.filter(**{f"{source}__in": chunk}).values_list("pk", source, target)
        rows.extend((r, pk, t, history_of[pk]) for r, pk, t in stored)
    return rows


def write_link_history(field, rows):
    """The links new historical records hold: ``(through row id, object pk, target pk,
    history id)`` rows into the field's past-links table."""
    if connection.vendor == "postgresql":
        copy_rows(link_history_model(field)._meta.db_table, link_history_columns(field), rows)
        return
    history_model = link_history_model(field)
    source, target = link_columns(field)
    history_model.objects.bulk_create(
        history_model(**{"id": r, source: s, target: t, "history_id": h}) for r, s, t, h in rows
    )


def copy_created(model, created, now, user_id, change_reason):
    """New rows and their history rows with PostgreSQL COPY (the primary keys are already
    allocated). The history rows are the ones ``bulk_history_create`` writes: simple-history's
    tracked fields, then the date, type "+", user and change reason. Returns
    ``{object pk: history id}``."""
    fields = model._meta.concrete_fields
    rows = copy_values(fields, created)
    copy_rows(model._meta.db_table, [f.column for f in fields], rows)

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
    history_ids = allocate_pks(historical, len(created))
    copy_rows(
        historical._meta.db_table,
        [historical._meta.pk.column, *columns],
        ([history_id, *(row[i] for i in tracked_at), *tail] for history_id, row in zip(history_ids, rows, strict=True)),
    )
    return dict(zip((obj.pk for obj in created), history_ids, strict=True))
