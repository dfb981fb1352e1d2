"""The base every resource serializer inherits.

Fields are the contract's (``Model.contract_field_names()``) plus ``id``, ``url`` and the
bookkeeping every record carries. Relations are natural keys (see ``fields``). Validation
runs the model's own rules (``full_clean``: field checks, ``clean()``, unique and check
constraints), so an API write is refused for the same reasons as an admin or importer
write, with the error under the field's name. So is a value that holds a NUL character
(``apps.common.nul``) or nests lists and objects too deep (``apps.common.nesting``).
"""

import json

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.settings import api_settings

from apps.common import nesting
from apps.common.api.fields import NaturalKeyRelatedField
from apps.common.choices import ReviewStatus
from apps.common.meta import BOOKKEEPING, key_paths_to_select
from apps.common.nul import nul_message, nul_path
from apps.common.roles import is_reviewer, sees_drafts


def api_fields(model):
    """The field list of a resource: id, the contract's fields and the bookkeeping (``api_url``
    is added by the serializer: ``url`` is a contract field of sources, resolutions and regimes)."""
    return ["id", *model.contract_field_names(), *BOOKKEEPING]


class StaffOnlyUsernameField(serializers.SlugRelatedField):
    """A bookkeeping user (``created_by``, ``updated_by``) by username, shown to editors and
    reviewers only: anyone else gets null, so the API does not list the staff's accounts."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "Username; null unless the client is an editor or reviewer.")
        super().__init__(slug_field="username", read_only=True, allow_null=True, **kwargs)

    def get_attribute(self, instance):
        request = self.context.get("request")
        if not sees_drafts(request.user if request else None):
            return None
        return super().get_attribute(instance)


class JSONField(serializers.JSONField):
    """A JSON value; sent as text (a form field), it is read at any depth, and a value nested
    more than ``nesting.MAX_DEPTH`` levels deep is refused under the field's name."""

    def to_internal_value(self, data):
        if self.binary or getattr(data, "is_json_string", False):
            if isinstance(data, bytes):
                data = data.decode()
            try:
                data = nesting.loads(data, (self.decoder or json.JSONDecoder)())
            except (TypeError, ValueError):
                self.fail("invalid")
        if nesting.too_deep(data):
            raise serializers.ValidationError(nesting.DEPTH_MESSAGE)
        try:
            json.dumps(data, cls=self.encoder)
        except (TypeError, ValueError):
            self.fail("invalid")
        return data


class BaseModelSerializer(serializers.ModelSerializer):
    serializer_related_field = NaturalKeyRelatedField
    serializer_field_mapping = {**serializers.ModelSerializer.serializer_field_mapping, models.JSONField: JSONField}

    created_by = StaffOnlyUsernameField()
    updated_by = StaffOnlyUsernameField()

    class Meta:
        # The detail URL's lookup: the natural key where it is one URL-safe value, else the id.
        lookup_field = "pk"

    def get_fields(self):
        fields = super().get_fields()
        api_url = serializers.HyperlinkedIdentityField(
            view_name=f"api:{self.Meta.model._meta.model_name}-detail",
            lookup_field=self.Meta.lookup_field,
            help_text="This record in the API.",
        )
        return {"id": fields.pop("id"), "api_url": api_url, **fields}

    def to_internal_value(self, data):
        """Refuse a NUL character in any value written (nested strings and keys of JSON fields
        too), and lists and objects nested more than ``nesting.MAX_DEPTH`` levels deep, under
        the field's name, before any field reads it: PostgreSQL stores no NUL, and a value
        nested hundreds of levels deep breaks whatever walks it (RecursionError)."""
        if isinstance(data, dict):
            errors = {}
            for name, value in data.items():
                field = self.fields.get(name)
                if field is None or field.read_only:
                    continue
                path = nul_path(value)
                if path is not None:
                    errors[name] = [nul_message(path)]
                elif nesting.too_deep(value):
                    errors[name] = [nesting.DEPTH_MESSAGE]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)

    def validate_review_status(self, value):
        """Publishing (and unpublishing) is a reviewer's decision (docs/data-model.md, "Who may
        see and do what")."""
        current = self.instance.review_status if self.instance is not None else ReviewStatus.DRAFT
        request = self.context.get("request")
        if value != current and not is_reviewer(request.user if request else None):
            raise PermissionDenied({"review_status": [f"Only reviewers may set review_status to {value!r}."]})
        return value

    def validate(self, attrs):
        lookup = self.Meta.lookup_field
        if lookup != "pk" and "/" in str(attrs.get(lookup, "")):
            # The value is the record's URL (``lookup_value_regex``): with a "/" it has none.
            raise serializers.ValidationError({lookup: ['May not contain "/": it is part of the record\'s URL.']})
        model = self.Meta.model
        many_to_many = {field.name for field in model._meta.many_to_many}
        values = {name: value for name, value in attrs.items() if name not in many_to_many}
        if self.instance is None:
            candidate = model(**values)
        else:
            candidate = model._base_manager.get(pk=self.instance.pk)
            for name, value in values.items():
                setattr(candidate, name, value)
        try:
            candidate.full_clean(exclude=[*BOOKKEEPING, *many_to_many])
        except DjangoValidationError as error:
            detail = error.message_dict
            if NON_FIELD_ERRORS in detail:
                detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
            raise serializers.ValidationError(detail) from error
        return attrs

    @classmethod
    def optimize(cls, queryset, *, user):
        """Select and prefetch everything the serializer shows, so that a page of any size
        costs the same number of queries; the related records ``user`` may not see are left
        out of many-to-many lists."""
        model = cls.Meta.model
        # The users of the bookkeeping, shown by name to editors and reviewers only (for anyone
        # else they are null, and two joins fewer make the query quicker to plan).
        selected = (
            [name for name in BOOKKEEPING if model._meta.get_field(name).is_relation] if sees_drafts(user) else []
        )
        prefetched = []
        for field in model._meta.get_fields():
            if not field.concrete or not field.is_relation or field.name in BOOKKEEPING:
                continue
            related = field.related_model
            paths = key_paths_to_select(related)
            if field.many_to_many:
                # In the related model's order, ties broken by id (as ``rows`` lists them).
                related_queryset = (
                    related._default_manager.visible_to(user)
                    .select_related(*paths)
                    .order_by(*(related._meta.ordering or []), "pk")
                )
                prefetched.append(models.Prefetch(field.name, queryset=related_queryset))
            else:
                selected.append(field.name)
                selected.extend(f"{field.name}__{path}" for path in paths)
        return queryset.select_related(*selected).prefetch_related(*prefetched)


class RetractedSerializer(serializers.Serializer):
    model = serializers.CharField()
    id = serializers.IntegerField()
    natural_key = serializers.ListField(child=serializers.JSONField())


class ChangeSerializer(serializers.Serializer):
    model = serializers.CharField(help_text='App label and model, e.g. "transfers.transfer".')
    id = serializers.IntegerField()
    natural_key = serializers.ListField(child=serializers.JSONField(), help_text="The record's natural key.")
    action = serializers.ChoiceField(
        ["created", "updated", "deleted", "unpublished"],
        help_text="unpublished: a published record went back to draft; clients without drafts drop it.",
    )
    user = serializers.CharField(
        allow_null=True,
        help_text="Who made the change (username); null unless the client is an editor or reviewer.",
    )
    time = serializers.DateTimeField()
    changed_fields = serializers.ListField(child=serializers.CharField())
    history_id = serializers.IntegerField()
    retracted_with_it = RetractedSerializer(
        many=True,
        help_text="For an unpublished record, what hangs on it and leaves public view with it (the claims of a "
        "transfer); clients without drafts drop these too.",
    )


class ChangesSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text="The next page, or null when the client is up to date.")
    results = ChangeSerializer(many=True)
