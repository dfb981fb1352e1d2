"""A model's check constraints evaluated in Python, on an instance not yet saved.

The loader reports a broken constraint with the record that breaks it, before anything is
written, instead of letting the database refuse the whole batch. Only the lookups the
contract's constraints use are known (``_LOOKUPS``, plus ``isnull``). As in SQL, NULL makes a
comparison unknown, and a CHECK passes when its condition is unknown.
"""

import functools
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
    return [message for message, value in _compiled_checks(spec) if value(instance) is False]


@functools.cache
def _compiled_checks(spec):
    """``[(message, value)]`` of ``spec``'s check constraints, each compiled once (``_compiled``)."""
    return [
        (constraint.violation_error_message, _compiled(constraint.condition, spec.model))
        for constraint in spec.check_constraints
    ]


def _compiled(q, model):
    """A function of an unsaved instance giving True, False or None (unknown) for the Q object
    ``q``: its fields' column names and comparisons looked up once, not for every record."""
    parts = []
    for child in q.children:
        if isinstance(child, models.Q):
            parts.append(_compiled(child, model))
            continue
        lookup, expected = child
        name, _, op = lookup.partition("__")
        attname = model._meta.get_field(name).attname
        if op == "isnull":
            parts.append(_is_null(attname, bool(expected)))
            continue
        other = model._meta.get_field(expected.name).attname if isinstance(expected, F) else None
        parts.append(_comparison(attname, _LOOKUPS[op or "exact"], expected, other))
    conjunction, negated = q.connector == models.Q.AND, q.negated

    def value(instance):
        results = [part(instance) for part in parts]
        if conjunction:
            found = False if False in results else (None if None in results else True)
        else:
            found = True if True in results else (None if None in results else False)
        if negated and found is not None:
            found = not found
        return found

    return value


def _is_null(attname, expected):
    return lambda instance: (getattr(instance, attname) is None) == expected


def _comparison(attname, compare, constant, other):
    """A lookup's value: the field against a constant, or against another field (``F``)."""

    def value(instance):
        actual = getattr(instance, attname)
        expected = constant if other is None else getattr(instance, other)
        if actual is None or expected is None:
            return None
        try:
            return compare(actual, expected)
        except TypeError:
            return None

    return value
