"""The loader's validation of a record's fields (``ModelSpec.clean_fields``) is Django's
``Model.clean_fields``: for every field of every contract model, and values that pass, fail
and are changed by its checks (empty, too long, holding a NUL, not a choice, not text), the
two agree on the errors and on the values they leave on the instance. The loader only skips
running the checks on text that they would let through unchanged."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import models

from apps.common.choices import ReviewStatus
from apps.ingest.services.contract import contract_specs


def candidates(field):
    """Values to try on ``field``: its choices and their near misses, text at and past its
    length, text with a NUL, empties, and values of other types."""
    values = ["", "   ", None, "plain", "a\x00b", 7, Decimal("1.5"), datetime.date(2024, 1, 2), ["x"], {"a": 1}]
    values += [ReviewStatus.PUBLISHED, "Not A Slug!", "ru-kp-1"]  # a str subclass; a slug's near miss
    if field.max_length:
        values += ["x" * field.max_length, "x" * (field.max_length + 1)]
    if field.choices:
        keys = [key for key, _label in field.flatchoices]
        values += keys[:3] + [f"{keys[0]}-not-a-choice", str(keys[0]).upper()]
    return values


def outcome(clean, instance, exclude):
    try:
        clean(instance, exclude)
    except ValidationError as error:
        return {name: [str(message) for message in messages] for name, messages in error.message_dict.items()}
    except TypeError as error:
        return f"TypeError: {error}"
    return None


CASES = [
    pytest.param(spec, field, id=f"{spec.label}.{field.name}")
    for spec in contract_specs()
    for field in spec.model._meta.fields
    if field.name not in spec.not_cleaned
]


@pytest.mark.parametrize(("spec", "field"), CASES)
def test_the_loaders_validation_of_a_field_is_djangos(spec, field):
    exclude = {other.name for other in spec.model._meta.fields if other.name != field.name}
    for value in candidates(field):
        theirs, mine = spec.new_instance(None), spec.new_instance(None)
        setattr(theirs, field.attname, value)
        setattr(mine, field.attname, value)
        expected = outcome(lambda instance, skipped: instance.clean_fields(exclude=skipped), theirs, exclude)
        assert outcome(spec.clean_fields, mine, exclude) == expected, (field.name, value)
        assert getattr(mine, field.attname) == getattr(theirs, field.attname), (field.name, value)
        assert type(getattr(mine, field.attname)) is type(getattr(theirs, field.attname)), (field.name, value)


def test_text_that_passes_unchanged_skips_the_checks_and_nothing_else_does():
    """The fast path is taken where it should be: a plain reference or choice passes without
    running the field's checks; a NUL, an overlong text or a wrong choice is still refused."""
    spec = next(spec for spec in contract_specs() if spec.label == "transfers.transfer")
    plain = dict(spec._cleaned_fields)
    reference, category = spec.model._meta.get_field("reference"), spec.model._meta.get_field("category")
    assert plain[reference]("ru-kp-1") and plain[category]("munitions")
    assert not plain[category]("not-a-category")
    assert not plain[reference]("a\x00b") and not plain[reference]("x" * (reference.max_length + 1))
    assert not plain[reference]("Not A Slug!")
    assert not plain[reference]("") and not plain[reference](ReviewStatus.PUBLISHED)
    assert all(plain[field] is None for field in plain if not isinstance(field, models.CharField | models.TextField))
    assert plain[spec.model._meta.get_field("started_on")] is None
