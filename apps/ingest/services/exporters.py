"""Data leaving the system: the fixture format (which ``import_data`` reads back unchanged)
and CSV, one file per model, as docs/data-model.md describes them ("Files: fixtures and CSV").

References are written as natural keys, read from one query per model (pk → key), and
many-to-many links from one query per field, so an export costs a fixed number of queries.
Objects are sorted by natural key, so exporting twice gives the same bytes. An export is of
everything (a backup), or of what one reader may see (``user``: a public dump is the export
for an anonymous reader).
"""

import csv
import json
from collections import defaultdict
from pathlib import Path

from django.core.serializers.json import DjangoJSONEncoder

from apps.common.cells import csv_cell, key_cell
from apps.common.history import link_columns
from apps.common.models import CuratedModel
from apps.common.roles import sees_drafts
from apps.ingest.services.contract import contract_specs, spec_for_label


def _specs(labels):
    if not labels:
        return contract_specs()
    specs = [spec_for_label(label) for label in labels]
    unknown = [label for label, spec in zip(labels, specs, strict=True) if spec is None]
    if unknown:
        raise ValueError(f"not contract models: {', '.join(unknown)}")
    return [spec for spec in contract_specs() if spec in specs]


class _Keys:
    """pk → natural key for every model, read once per model."""

    def __init__(self):
        self.maps = {}

    def of(self, spec):
        if spec not in self.maps:
            rows = spec.model._base_manager.values_list("pk", *spec.model.NATURAL_KEY)
            self.maps[spec] = {row[0]: list(spec.normalize_key(tuple(str(v) for v in row[1:]))) for row in rows}
        return self.maps[spec]


class _Visible:
    """The pks of each model that the export's reader may see, read once per model; None
    for an export of everything (an operator's backup)."""

    def __init__(self, user):
        self.user = user
        self.maps = {}

    def of(self, spec):
        if self.user is None or not issubclass(spec.model, CuratedModel):
            return None
        if spec not in self.maps:
            self.maps[spec] = set(spec.model._default_manager.visible_to(self.user).values_list("pk", flat=True))
        return self.maps[spec]


def iter_objects(labels=None, *, user=None):
    """Yield ``(spec, fields)`` for every object, as the fixture format writes it. With
    ``user``, only what ``visible_to(user)`` lets them read: a relation to a record they may
    not see is left empty, as the API shows it, and a field only editors read is left out."""
    keys = _Keys()
    visible = _Visible(user)
    public = user is not None and not sees_drafts(user)
    for spec in _specs(labels):
        own = keys.of(spec)
        # A public export leaves out what only editors read (``Source.editor_note``).
        hidden = set(getattr(spec.model, "EDITORS_ONLY", ())) if public else set()
        links = {}
        for name, field in spec.many_to_many.items():
            through = field.remote_field.through
            source, target = link_columns(field)
            target_keys = keys.of(spec.target(name))
            shown = visible.of(spec.target(name))
            grouped = defaultdict(list)
            for source_pk, target_pk in through._base_manager.values_list(source, target):
                if shown is None or target_pk in shown:
                    grouped[source_pk].append(target_keys[target_pk])
            links[name] = grouped
        rows = spec.model._base_manager.values(
            "pk", *[f.attname for f in spec.fields.values() if f.concrete and not f.many_to_many]
        )
        shown_rows = visible.of(spec)
        for row in sorted(rows, key=lambda r: own[r["pk"]]):
            if shown_rows is not None and row["pk"] not in shown_rows:
                continue
            fields = {}
            for name, field in spec.fields.items():
                if name in hidden:
                    continue
                if name in spec.many_to_many:
                    fields[name] = sorted(links[name].get(row["pk"], []))
                elif name in spec.foreign_keys:
                    value = row[field.attname]
                    shown = visible.of(spec.target(name))
                    if value is None or (shown is not None and value not in shown):
                        fields[name] = None
                    else:
                        fields[name] = keys.of(spec.target(name))[value]
                else:
                    fields[name] = row[field.attname]
            yield spec, fields


def export_fixture(stream, labels=None, *, user=None):
    """Write the fixture format (a JSON array, one object per line group) to a text stream;
    with ``user``, only what they may read (see ``iter_objects``)."""
    stream.write("[")
    first = True
    for spec, fields in iter_objects(labels, user=user):
        text = json.dumps({"model": spec.label, "fields": fields}, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        stream.write(("\n" if first else ",\n") + text)
        first = False
    stream.write("\n]\n")


def _csv_cell(spec, name, value):
    if name in spec.foreign_keys and value is not None:
        return key_cell(value)
    return csv_cell(value)


def export_csv(directory, labels=None, *, user=None):
    """One ``<app>.<model>.csv`` per model in ``directory``; return the paths written. With
    ``user``, only what they may read (see ``iter_objects``)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    writers = {}
    files = []
    try:
        for spec, fields in iter_objects(labels, user=user):
            if spec not in writers:
                handle = open(directory / f"{spec.label}.csv", "w", encoding="utf-8", newline="")  # noqa: SIM115
                files.append(handle)
                writers[spec] = csv.writer(handle)
                writers[spec].writerow([name for name in spec.field_names if name in fields])
            writers[spec].writerow([_csv_cell(spec, name, fields[name]) for name in spec.field_names if name in fields])
    finally:
        for handle in files:
            handle.close()
    return [Path(handle.name) for handle in files]
