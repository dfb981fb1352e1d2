"""The loader's check constraints (``apps.ingest.loader.constraints``), evaluated in Python
on an unsaved instance, agree with the database's own evaluation of the same conditions
(Django's ``CheckConstraint.validate``, which asks the database): for every check constraint
of every contract model, and every combination of values of the fields it names — empty,
equal, one before the other, in either order — both find it broken or both find it kept. As in
SQL, a comparison with NULL is unknown, and an unknown condition keeps the constraint."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.expressions import F

from apps.ingest.loader.constraints import check_constraints
from apps.ingest.services.contract import contract_specs

pytestmark = pytest.mark.django_db


def named_fields(condition):
    """The names of the fields a Q condition reads, its ``F`` operands included."""
    names = []
    for child in condition.children:
        if isinstance(child, models.Q):
            names += named_fields(child)
            continue
        lookup, value = child
        names.append(lookup.partition("__")[0])
        if isinstance(value, F):
            names.append(value.name)
    return list(dict.fromkeys(names))


def pool(field):
    """Values to try on ``field``: empty, and two that compare one way and the other."""
    empty = [None] if field.null else []
    if isinstance(field, models.ForeignKey):
        return [*empty, 1, 2]
    if isinstance(field, models.DateField):
        return [*empty, datetime.date(2024, 1, 1), datetime.date(2024, 3, 1)]
    if isinstance(field, models.DecimalField):
        return [*empty, Decimal("5"), Decimal("10")]
    if isinstance(field, models.IntegerField):
        return [*empty, 5, 10]
    if field.choices:
        return [*empty, *(key for key, _label in field.flatchoices)]
    return [*empty, "RU", "ru", "R1", "RUS", ""]


CASES = [
    pytest.param(spec, constraint, id=f"{spec.label}.{constraint.name}")
    for spec in contract_specs()
    for constraint in spec.check_constraints
]


@pytest.mark.parametrize(("spec", "constraint"), CASES)
def test_the_loaders_check_constraint_agrees_with_the_database(spec, constraint):
    fields = [spec.model._meta.get_field(name) for name in named_fields(constraint.condition)]
    tried = broken = 0
    for values in itertools.product(*(pool(field) for field in fields)):
        instance = spec.new_instance(None)
        for field, value in zip(fields, values, strict=True):
            setattr(instance, field.attname, value)
        try:
            constraint.validate(spec.model, instance)
            kept = True
        except ValidationError:
            kept = False
        loader_kept = constraint.violation_error_message not in check_constraints(spec, instance)
        assert loader_kept == kept, dict(zip([f.name for f in fields], values, strict=True))
        tried += 1
        broken += not kept
    # Each constraint was seen both kept and broken.
    assert tried > broken > 0
