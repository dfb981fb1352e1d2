"""Helpers shared by the tests: the contract's models and comparable snapshots of them."""

import datetime

from django.apps import apps

from apps.common.registry import contract_labels


def contract_model(label):
    return apps.get_model(label)


def delete_everything():
    """Empty every contract table, references first."""
    for label in reversed(contract_labels()):
        contract_model(label)._base_manager.all().delete()


def _comparable(value):
    if isinstance(value, datetime.datetime):
        # JSON fixtures keep milliseconds.
        return value.isoformat(timespec="milliseconds")
    if hasattr(value, "natural_key"):
        return value.natural_key()
    return value


def snapshot(label):
    """Each record of a model as {natural key: {field: value}}, relations as natural keys,
    so two databases with different primary keys compare equal."""
    model = contract_model(label)
    fields = [f for f in model._meta.concrete_fields if f.name not in {"id", "version", "updated_at"}]
    many = list(model._meta.many_to_many)
    result = {}
    for record in model._base_manager.all():
        row = {}
        for field in fields:
            row[field.name] = _comparable(getattr(record, field.name))
        for field in many:
            row[field.name] = sorted(related.natural_key() for related in getattr(record, field.name).all())
        result[record.natural_key()] = row
    return result
