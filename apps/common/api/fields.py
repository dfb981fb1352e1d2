"""Relations written as natural keys, the way fixtures write them.

A record with a one-value key is shown as that value (``"KP"``, ``"UN-1718"``); a compound
key as a list (``["S/RES/1718 (2006)", "8(b)"]``). Clients may send a compound key either as
that list or joined with ``|`` as in CSV files. With ``?expand=<field>`` the related record
is shown instead, in its brief form (its own fields, no further relations), which costs no
query because the viewset has already selected or prefetched it.
"""

from django.core.exceptions import ObjectDoesNotExist
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_array_type, build_basic_type
from drf_spectacular.types import OpenApiTypes
from rest_framework import serializers

from apps.common.meta import BOOKKEEPING, split_key
from apps.common.nul import NUL, NUL_MESSAGE


def natural_key_value(instance):
    """The natural key of ``instance`` as the API shows it: one value, or a list."""
    key = instance.natural_key()
    return key[0] if len(key) == 1 else list(key)


def brief_representation(instance):
    """A related record's own fields, for ``?expand=``: its key, id and local values."""
    data = {"key": natural_key_value(instance), "id": instance.pk}
    for field in instance._meta.concrete_fields:
        if field.is_relation or field.primary_key or field.name in BOOKKEEPING:
            continue
        value = field.value_from_object(instance)
        data[field.name] = value.isoformat() if hasattr(value, "isoformat") else value
    return data


def expanded_fields(context):
    """The relation names a request asked to expand (``?expand=supplier,sources``)."""
    if "expand" not in context:
        request = context.get("request")
        names = set()
        if request is not None:
            for value in request.query_params.getlist("expand"):
                names.update(name.strip() for name in value.split(",") if name.strip())
        context["expand"] = names
    return context["expand"]


def request_user(context):
    """The user behind a serializer's request, or None outside a request."""
    request = context.get("request")
    return request.user if request is not None else None


class NaturalKeyRelatedField(serializers.RelatedField):
    """A foreign key or many-to-many entry, read and written as the related record's natural key."""

    default_error_messages = {
        "does_not_exist": "No {model} with key {value!r}.",
        "invalid": "Expected a key: a string, or a list of strings for a compound key.",
        "nul": f"{NUL_MESSAGE} (in the key {{value!r}})",
    }

    @property
    def related_model(self):
        return self.get_queryset().model

    def _relation_name(self):
        parent = self.parent
        if isinstance(parent, serializers.ManyRelatedField):
            return parent.field_name
        return self.field_name

    def to_representation(self, value):
        # A published record may point at a draft (a statement at a draft event): the draft
        # stays invisible to those who may not see drafts.
        if not value.is_visible_to(request_user(self.context)):
            return None
        if self._relation_name() in expanded_fields(self.context):
            return brief_representation(value)
        return natural_key_value(value)

    def to_internal_value(self, data):
        model = self.related_model
        if isinstance(data, str):
            key = split_key(data, len(model.NATURAL_KEY))
        elif isinstance(data, list) and all(isinstance(part, str | int) for part in data):
            key = data
        else:
            self.fail("invalid")
        # Before the lookup: PostgreSQL refuses a NUL even in a query.
        if any(isinstance(part, str) and NUL in part for part in key):
            self.fail("nul", value=data)
        try:
            return self.get_queryset().get_by_natural_key(*key)
        except (ObjectDoesNotExist, ValueError, TypeError):
            self.fail("does_not_exist", model=model._meta.verbose_name, value=data)

    def get_queryset(self):
        # ``get_by_natural_key`` lives on the default manager; the field's queryset is
        # that manager's.
        return self.queryset.model._default_manager

    def use_pk_only_optimization(self):
        return False

    def get_choices(self, cutoff=None):
        # Never list every related record (the browsable API and OPTIONS would).
        return {}


def natural_key_schema(model):
    if len(model.NATURAL_KEY) == 1:
        return build_basic_type(OpenApiTypes.STR)
    return {**build_array_type(build_basic_type(OpenApiTypes.STR)), "minItems": len(model.NATURAL_KEY)}


class NaturalKeyRelatedFieldExtension(OpenApiSerializerFieldExtension):
    """Document a natural-key relation: the key, or with ``?expand=`` the related record."""

    target_class = NaturalKeyRelatedField

    def map_serializer_field(self, auto_schema, direction):
        model = self.target.queryset.model
        key = natural_key_schema(model)
        label = model._meta.verbose_name
        if direction == "request":
            return {**key, "description": f"The {label}'s natural key ({', '.join(model.NATURAL_KEY)})."}
        return {
            "anyOf": [key, {"type": "object", "additionalProperties": True}],
            "description": f"The {label}'s natural key; with ?expand= the {label} itself.",
        }
