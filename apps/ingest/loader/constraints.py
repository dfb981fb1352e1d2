"""A model's check constraints evaluated in Python, on an instance not yet saved.

The loader reports a broken constraint with the record that breaks it, before anything is
written, instead of letting the database refuse the whole batch. Only the lookups the
contract's constraints use are known (``_LOOKUPS``, plus ``isnull``). As in SQL, NULL makes a
comparison unknown, and a CHECK passes when its condition is unknown.
"""

import re

from django.db import models
from django.db.models.expressions import F

_LOOKUPS = {
    "exact": lambda a, b: a == b,
    "gte": lambda a, b: a >= b,
    "gt": lambda a, b: a > b,
    "lte": lambda a, b: a <= b,
    "lt": lambda a, b: a < b,
    "regex": lambda a, b: re.search(b, a) is not None,
    "in": lambda a, b: a in b,
}


def check_constraints(spec, instance):
    """Messages of the check constraints the instance breaks."""
    return [
        constraint.violation_error_message
        for constraint in spec.check_constraints
        if _q_value(constraint.condition, instance) is False
    ]


def _operand(instance, value):
    """The value a lookup compares with: a constant, or another field of the instance (``F``)."""
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
