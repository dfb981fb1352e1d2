"""The links of a record in its history: what its many-to-many fields held at each change.

A transfer's sources, the countries it went through, the participants of an event are part
of what an editor changed, so every historical record keeps them as they were. simple-history
stores them in one table per field (``HistoricalTransfer_sources`` …), each row one link of
one historical record. This module records them for every kind of save, reads them back in
one query per field for a page of records, and says which links changed between two records.
"""

import functools
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from apps.common.meta import direct_relations

POST_ACTIONS = ("post_add", "post_remove", "post_clear")


class TrackedHistory(HistoricalRecords):
    """simple-history's records, with every many-to-many field of the model in them.

    One save is one historical record, links included: the admin and the API save a record
    and then set its links on the same instance, so the links set after a save are written
    into that save's record instead of adding a record per ``add()`` or ``remove()``. Links
    changed on their own (a script calling ``transfer.sources.add(source)`` on a fetched
    record) are recorded as a change of their own, and links changed from the other side
    (``source.transfers.add(transfer)``) as a change of each record whose links changed.
    """

    def get_meta_options(self, model):
        """The change feed reads history in (``history_date``, ``history_id``) order from a
        moment on: an index in that order lets a page stop after its last row."""
        options = super().get_meta_options(model)
        name = model._meta.model_name[:18]
        options["indexes"] = (
            models.Index(fields=("history_date", "history_id"), name=f"h_{name}_feed"),
            # A record's history in order: its previous version is one index probe.
            models.Index(fields=("id", "history_id"), name=f"h_{name}_versions"),
        )
        return options

    def copy_fields(self, model):
        """The record's fields in its history, indexed only where history is looked up: by the
        record's id with the version (``get_meta_options``) and by foreign key, as
        simple-history keeps them; codes, dates and statuses are searched in the records
        themselves, so their indexes are left out of the history, which every write and load
        fills."""
        fields = super().copy_fields(model)
        for field in fields.values():
            if not field.is_relation:
                field.db_index = False
        return fields

    def get_m2m_fields_from_model(self, model):
        return list(model._meta.local_many_to_many)

    def create_historical_record_m2ms(self, history_instance, instance):
        instance._history_record_of_last_save = history_instance
        super().create_historical_record_m2ms(history_instance, instance)

    def m2m_changed(self, instance, action, attr, pk_set, reverse, model=None, **kwargs):
        if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
            return
        if reverse:
            self._reverse_m2m_changed(instance, action, attr, pk_set, model)
            return
        if hasattr(instance, "skip_history_when_saving") or action not in POST_ACTIONS:
            return
        record = getattr(instance, "_history_record_of_last_save", None)
        if record is None:
            self.create_historical_record(instance, "~")
            return
        write_link_rows(instance._meta.get_field(attr), record, instance.pk)

    def _reverse_m2m_changed(self, instance, action, attr, pk_set, model):
        """``source.transfers.add(transfer)``: ``instance`` is the source and ``pk_set`` the
        transfers whose links changed."""
        field = model._meta.get_field(attr)
        if action == "pre_clear":
            source, target = link_columns(field)
            through = field.remote_field.through
            instance._history_cleared_pks = list(
                through._base_manager.filter(**{target: instance.pk}).values_list(source, flat=True)
            )
            return
        if action not in POST_ACTIONS:
            return
        pks = pk_set if action != "post_clear" else getattr(instance, "_history_cleared_pks", [])
        for changed in model._base_manager.filter(pk__in=list(pks or ())):
            self.create_historical_record(changed, "~")


def link_columns(field):
    """The attnames of a many-to-many field's two sides in its through table (and in its
    past-links table): ``("transfer_id", "source_id")`` for a transfer's sources."""
    return f"{field.m2m_field_name()}_id", f"{field.m2m_reverse_field_name()}_id"


@functools.cache
def history_model(model):
    """The history table of ``model`` (``model.history.model``, which builds a new manager
    class on every access: looked up once)."""
    return model.history.model


def tracked_link_fields(model):
    """The many-to-many fields whose links the history of ``model`` keeps."""
    return list(history_model(model)._history_m2m_fields)


def link_history_model(field):
    """The table of past links of one many-to-many field."""
    return HistoricalRecords.m2m_models[field]


def write_link_rows(field, record, pk):
    """Make the historical ``record`` of object ``pk`` hold the object's current links of
    ``field``: its stored link rows are replaced by copies of the through rows."""
    through = field.remote_field.through
    source, target = link_columns(field)
    history_model = link_history_model(field)
    history_model.objects.filter(history=record).delete()
    rows = through._base_manager.filter(**{source: pk}).values_list("id", target)
    history_model.objects.bulk_create(
        history_model(**{"id": row_id, "history": record, source: pk, target: target_pk}) for row_id, target_pk in rows
    )


def link_history_columns(field):
    """Columns of the past-links table: the through row id, the two sides, the record."""
    history_model = link_history_model(field)
    return [history_model._meta.get_field(name).column for name in ("id", *link_columns(field), "history_id")]


@dataclass(frozen=True)
class LinkChange:
    """One many-to-many field whose links differ between two historical records; ``old``
    and ``new`` are the linked records, ordered by label."""

    field: str
    old: list
    new: list


def links_of(model, records):
    """``{history_id: {field name: frozenset of linked pks}}`` for historical records of
    ``model``: one query per many-to-many field, whatever the number of records."""
    ids = [record.history_id for record in records]
    links = defaultdict(lambda: defaultdict(frozenset))
    if not ids:
        return links
    for field in tracked_link_fields(model):
        target = link_columns(field)[1]
        grouped = defaultdict(set)
        for history_id, target_pk in (
            link_history_model(field).objects.filter(history_id__in=ids).values_list("history_id", target)
        ):
            grouped[history_id].add(target_pk)
        for history_id, pks in grouped.items():
            links[history_id][field.name] = frozenset(pks)
    return links


def changed_link_fields(model, new, old, links):
    """Names of the many-to-many fields whose links differ from ``old`` to ``new``."""
    return [
        field.name
        for field in tracked_link_fields(model)
        if links[new.history_id][field.name] != links[old.history_id][field.name]
    ]


def link_changes(model, pairs, links):
    """The ``LinkChange`` of every ``(new, old)`` pair of historical records, with the
    linked records fetched in one query per field: ``{new history_id: [LinkChange]}``."""
    wanted = defaultdict(set)
    changed = {}
    for new, old in pairs:
        names = changed_link_fields(model, new, old, links)
        changed[new.history_id] = names
        for name in names:
            wanted[name] |= links[new.history_id][name] | links[old.history_id][name]
    labelled = {}
    for name, pks in wanted.items():
        related = model._meta.get_field(name).related_model
        labelled[name] = related._base_manager.select_related(*direct_relations(related)).in_bulk(list(pks))
    result = {}
    for new, old in pairs:
        result[new.history_id] = [
            LinkChange(
                name,
                _labelled(labelled[name], links[old.history_id][name]),
                _labelled(labelled[name], links[new.history_id][name]),
            )
            for name in changed[new.history_id]
        ]
    return result


def _labelled(objects, pks):
    return sorted((objects.get(pk, f"deleted record #{pk}") for pk in pks), key=str)


def format_labels(objects):
    """Linked records as an editor reads them in a history entry."""
    return ", ".join(str(obj) for obj in objects) or "(none)"


def show_links_as_of(instance, record):
    """Give ``instance``, a past version rebuilt from the historical ``record``, the links
    it had then (simple-history rebuilds only the fields; the links would be today's)."""
    links = links_of(type(instance), [record])[record.history_id]
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    for field in tracked_link_fields(type(instance)):
        cache[field.name] = field.related_model._base_manager.filter(pk__in=links[field.name])
