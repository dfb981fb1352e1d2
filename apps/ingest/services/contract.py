"""What the data-model contract looks like to a loader: the models in dependency order and,
for each, its natural key, its fields and how references are written."""

from functools import cache, cached_property

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator, RegexValidator
from django.db import models
from django.db.models.expressions import DatabaseDefault

from apps.common.meta import BOOKKEEPING
from apps.common.registry import contract_model, contract_models

# The fields a loader never reads from a record: the id and the bookkeeping are its own.
NOT_FROM_RECORDS = ("id", *BOOKKEEPING)


class ModelSpec:
    """A contract model as the loader and the exporters see it."""

    def __init__(self, model):
        self.model = model
        self.label = model._meta.label_lower
        self.fields = {}
        self.foreign_keys = {}
        self.many_to_many = {}
        for field in model._meta.concrete_fields:
            if field.name in NOT_FROM_RECORDS:
                continue
            self.fields[field.name] = field
            if field.is_relation:
                self.foreign_keys[field.name] = field
        for field in model._meta.many_to_many:
            self.fields[field.name] = field
            self.many_to_many[field.name] = field
        self.field_names = list(self.fields)
        self.concrete_fields = list(model._meta.concrete_fields)
        # Attnames compared to tell a changed row from an unchanged one.
        self.content_attnames = [
            field.attname for field in model._meta.concrete_fields if field.name not in NOT_FROM_RECORDS
        ]
        self.key_parts = []
        for path in model.NATURAL_KEY:
            head = path.split("__")[0]
            if head not in [part for part, _ in self.key_parts]:
                self.key_parts.append((head, head in self.foreign_keys))
        self.check_constraints = [c for c in model._meta.constraints if isinstance(c, models.CheckConstraint)]
        # Never run through clean_fields(): references are resolved and checked by the
        # loader, and bookkeeping is the loader's own.
        self.not_cleaned = frozenset([*self.foreign_keys, *NOT_FROM_RECORDS])

    @cached_property
    def valid_defaults(self):
        """``{name: default}`` of the fields whose default passes the field's validation: on a
        new object from a record that leaves the field out, validating it again would only
        repeat this check."""
        instance = self.new_instance(None)
        valid = {}
        for field in self.concrete_fields:
            if field.name in self.not_cleaned:
                continue
            default = field.get_default()
            try:
                field.clean(default, instance)
            except ValidationError:
                continue
            valid[field.name] = default
        return valid

    def clean_fields_exclude(self, instance, given):
        """The fields ``clean_fields()`` may skip on ``instance``, new from a record that
        gives the fields ``given``: the loader's own, and those left at a valid default."""
        skipped = set(self.not_cleaned)
        for name, default in self.valid_defaults.items():
            if name not in given and getattr(instance, name) == default:
                skipped.add(name)
        return skipped

    def clean_fields(self, instance, exclude):
        """``instance.clean_fields(exclude=exclude)``: the same checks, in the same order, with
        the same values and errors; but a text field's value that Django's checks would let
        through unchanged (``_plain_text``) is passed without running them. A load validates
        tens of thousands of references, names and choices, nearly all of them plain text."""
        errors = {}
        for field, plain in self._cleaned_fields:
            if field.name in exclude:
                continue
            raw = getattr(instance, field.attname)
            if plain is not None and plain(raw):
                continue
            if field.blank and raw in field.empty_values:
                continue
            if isinstance(raw, DatabaseDefault):
                continue
            try:
                setattr(instance, field.attname, field.clean(raw, instance))
            except ValidationError as error:
                errors[field.name] = error.error_list
        if errors:
            raise ValidationError(errors)

    @cached_property
    def _cleaned_fields(self):
        return [(field, _plain_text(field)) for field in self.model._meta.fields if not field.generated]

    def __repr__(self):
        return f"ModelSpec({self.label})"

    def new_instance(self, pk):
        """An unsaved instance with the model's defaults, built through ``Model.__init__``'s
        positional path, which skips the per-keyword work of ``model(pk=...)``."""
        instance = self.model(*[default() if call else default for default, call in self._defaults])
        instance.pk = pk
        return instance

    @cached_property
    def _defaults(self):
        """``(default, is_callable)`` per concrete field: a callable default (``list``) makes
        a new value for each instance; a constant is worked out once."""
        defaults = []
        for field in self.concrete_fields:
            if field.has_default() and callable(field.default):
                defaults.append((field.get_default, True))
            else:
                defaults.append((field.get_default(), False))
        return defaults

    def stored_instance(self, row):
        """An instance of a stored row (as from ``values()``), the way querysets build them."""
        return self.model.from_db("default", None, [row[field.attname] for field in self.concrete_fields])

    def normalize_key(self, key):
        return tuple(self.model.normalize_natural_key(tuple(key)))

    def target(self, name):
        return spec_for(self.fields[name].related_model)

    def list_json_fields(self):
        """JSON fields whose value is a list (written ``a;b`` in CSV)."""
        return {
            name for name, field in self.fields.items() if isinstance(field, models.JSONField) and field.default is list
        }


@cache
def spec_for(model):
    return ModelSpec(model)


_SPEC_OF_LABEL = {}  # the labels as records write them -> spec


def spec_for_label(label):
    """The spec of ``app_label.model_name`` (case-insensitive), or None for a non-contract model."""
    try:
        return _SPEC_OF_LABEL[label]
    except (KeyError, TypeError):
        pass
    model = contract_model(label)
    if model is None:
        return None
    spec = spec_for(model)
    # Every record names its model: the labels as written are looked up once.
    if len(_SPEC_OF_LABEL) < 1000:
        _SPEC_OF_LABEL[label] = spec
    return spec


def _plain_text(field):
    """For a text field whose only checks are Django's own (its length, a slug's pattern, no
    NUL, its choices), a test of a value those checks pass unchanged: a non-empty ``str``
    without a NUL, within the length, matching the patterns, one of the choices. None for any
    other field (its value is cleaned as Django cleans it)."""
    if type(field) not in (models.CharField, models.TextField, models.SlugField):
        return None
    limit, patterns = None, []
    for validator in field.validators:
        if type(validator) is MaxLengthValidator and isinstance(validator.limit_value, int):
            limit = validator.limit_value if limit is None else min(limit, validator.limit_value)
        elif type(validator) is RegexValidator:
            patterns.append((validator.regex, validator.inverse_match))
        elif type(validator) is not ProhibitNullCharactersValidator:
            return None
    choices = None if field.choices is None else frozenset(key for key, _label in field.flatchoices)

    def plain(value):
        return (
            type(value) is str
            and value != ""
            and "\x00" not in value
            and (limit is None or len(value) <= limit)
            and (choices is None or value in choices)
            and all(bool(regex.search(value)) != inverse for regex, inverse in patterns)
        )

    return plain


def contract_specs():
    return [spec_for(model) for model in contract_models()]
