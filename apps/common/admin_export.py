"""CSV and XLSX export of any changelist, through django-import-export.

Columns are the contract field names and relations are written as natural keys, as in the
CSV format of docs/data-model.md ("Files: fixtures and CSV"): a compound key joined with
``|``, lists separated by ``;``. Every text cell goes through ``apps.common.cells``, which
writes a would-be formula as text: left to themselves, django-import-export writes text as it
is into CSV, and openpyxl stores a text starting with ``=`` in an XLSX file as a formula.
"""

from django.db import models
from import_export import fields, resources, widgets

from apps.common.cells import csv_cell, key_cell
from apps.common.meta import key_paths_to_select


class NaturalKeyWidget(widgets.Widget):
    def render(self, value, obj=None, **kwargs):
        return "" if value is None else key_cell(value.natural_key())


class NaturalKeyListWidget(widgets.Widget):
    def render(self, value, obj=None, **kwargs):
        return csv_cell([related.natural_key() for related in value.all()])


class JSONWidget(widgets.Widget):
    """A list of strings joined with ``;``; any other value as JSON; an empty one as nothing."""

    def render(self, value, obj=None, **kwargs):
        return "" if value in ({}, []) else csv_cell(value)


class TextWidget(widgets.CharWidget):
    """A text field's value as a cell (``csv_cell``: a would-be formula as text)."""

    def render(self, value, obj=None, **kwargs):
        return csv_cell(value)


def _key_relations(model, prefix):
    """The relations (``a__b``) to load so that the natural key of ``model`` reads no more rows."""
    return [prefix, *(f"{prefix}__{path}" for path in key_paths_to_select(model))]


class ContractResource(resources.ModelResource):
    """Export in a fixed number of queries: foreign keys joined, many-to-many prefetched."""

    def export(self, queryset=None, **kwargs):
        if queryset is not None and isinstance(queryset, models.QuerySet):
            model = queryset.model
            joined, prefetched = [], []
            for field in model._meta.concrete_fields:
                if field.is_relation and field.name in self._meta.fields:
                    joined += _key_relations(field.related_model, field.name)
            for field in model._meta.many_to_many:
                prefetched += _key_relations(field.related_model, field.name)
            queryset = queryset.select_related(*joined).prefetch_related(*prefetched)
        return super().export(queryset=queryset, **kwargs)


def export_resource_for(model):
    """A resource exporting ``model``'s contract fields (see ``TrackedModel.contract_field_names``)."""
    names = model.contract_field_names()
    attrs = {}
    for name in names:
        field = model._meta.get_field(name)
        if field.many_to_many:
            widget = NaturalKeyListWidget()
        elif field.is_relation:
            widget = NaturalKeyWidget()
        elif isinstance(field, models.JSONField):
            widget = JSONWidget()
        elif isinstance(field, models.CharField | models.TextField):
            widget = TextWidget()
        else:
            continue
        attrs[name] = fields.Field(attribute=name, column_name=name, widget=widget)
    attrs["Meta"] = type("Meta", (), {"model": model, "fields": names, "export_order": names})
    return type(f"{model.__name__}ExportResource", (ContractResource,), attrs)
