"""The base every resource FilterSet inherits.

Every contract field gets a filter unless the FilterSet declares its own or lists the field
in ``unfiltered`` with the reason: several values of a parameter are OR-ed
(``?category=missiles&category=munitions``), relations filter by natural key
(``?supplier=KP``, ``?resolution=S/RES/1718 (2006)``, a compound key joined with ``|``),
dates by exact value and range (``started_on`` → ``?started_after=`` / ``?started_before=``),
numbers by value and range (``?quantity_low_min=``), and ``q`` searches ``search_fields``.
"""

import datetime

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from apps.common.meta import split_key
from apps.common.models import CuratedModel
from apps.common.roles import sees_drafts
from apps.common.search import ranked, search_condition

ISO_DATE_RANGE_SUFFIXES = ("after", "before")


class MultiValueField(forms.Field):
    """Every value of a repeated query parameter, each cleaned by ``child``."""

    widget = forms.SelectMultiple

    def __init__(self, *, child=None, **kwargs):
        self.child = child or forms.CharField()
        super().__init__(**kwargs)

    def to_python(self, value):
        if not value:
            return []
        if not isinstance(value, list | tuple):
            value = [value]
        return [self.child.clean(item) for item in value if item not in ("", None)]


class UTCDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 moment, converted to UTC: PostgreSQL refuses offsets beyond ±15:59,
    which ISO 8601 (and Python) allow."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.astimezone(datetime.UTC)
        except OverflowError as error:
            raise ValidationError("Date and time out of range.", code="overflow") from error


class UTCDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UTCDateTimeField


class MultiValueFilter(django_filters.MultipleChoiceFilter):
    """``?name=a&name=b``: records matching any of the values (OR)."""

    field_class = MultiValueField

    def __init__(self, *args, child=None, schema_type=OpenApiTypes.STR, **kwargs):
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)
        self.extra["child"] = child or forms.CharField()
        extend_schema_field(schema_type)(self)


class NaturalKeyFilter(MultiValueFilter):
    """A relation filtered by the related record's natural key, normalised as the model
    normalises it (``kp`` → ``KP``; ``S/RES/1718(2006)`` → ``S/RES/1718 (2006)``)."""

    def __init__(self, *args, related_model, **kwargs):
        self.related_model = related_model
        super().__init__(*args, **kwargs)

    def filter(self, queryset, value):
        if not value:
            return queryset
        paths = self.related_model.NATURAL_KEY
        condition = Q()
        for raw in value:
            parts = split_key(raw, len(paths))
            if len(parts) != len(paths):
                continue
            key = self.related_model.normalize_natural_key(tuple(parts))
            condition |= Q(**dict(zip(paths, key, strict=True)))
        if not condition:
            return queryset.none()
        # Keys resolve among the records the client may see: a draft's key matches nothing
        # for those who may not see drafts, as an unknown key does (no existence oracle).
        user = getattr(getattr(self.parent, "request", None), "user", None)
        if issubclass(self.related_model, CuratedModel) and not sees_drafts(user):
            condition &= self.related_model.published_condition()
        # The keys are resolved to ids first, so that the filter is on the records' own column
        # with values the planner can weigh (``supplier_id = 7``), read off the index in the
        # list's order, instead of a join it must guess the size of.
        pks = list(self.related_model._base_manager.filter(condition).order_by().values_list("pk", flat=True))
        queryset = queryset.filter(**{f"{self.field_name}__in": pks})
        return queryset.distinct() if self.distinct else queryset


def filters_for_field(name, field):
    """The automatic filters of one model field, by its kind; empty when there is no obvious one."""
    if field.many_to_many or field.many_to_one:
        return {
            name: NaturalKeyFilter(
                field_name=name,
                related_model=field.related_model,
                distinct=field.many_to_many,
                help_text=f"{field.related_model._meta.verbose_name} natural key; repeat for several",
            )
        }
    if isinstance(field, models.BooleanField):
        return {name: django_filters.BooleanFilter(field_name=name)}
    if isinstance(field, models.DateField):
        stem = name.removesuffix("_on")
        return {
            name: MultiValueFilter(field_name=name, child=forms.DateField(), schema_type=OpenApiTypes.DATE),
            f"{stem}_after": django_filters.DateFilter(field_name=name, lookup_expr="gte"),
            f"{stem}_before": django_filters.DateFilter(field_name=name, lookup_expr="lte"),
        }
    if isinstance(field, models.IntegerField):
        child = forms.IntegerField(min_value=0, max_value=2**63 - 1)
        return {
            name: MultiValueFilter(field_name=name, child=child, schema_type=OpenApiTypes.INT),
            f"{name}_min": django_filters.NumberFilter(field_name=name, lookup_expr="gte", max_value=2**63 - 1),
            f"{name}_max": django_filters.NumberFilter(field_name=name, lookup_expr="lte", min_value=0),
        }
    if isinstance(field, models.DecimalField):
        return {
            name: MultiValueFilter(field_name=name, child=forms.DecimalField(), schema_type=OpenApiTypes.DECIMAL),
            f"{name}_min": django_filters.NumberFilter(field_name=name, lookup_expr="gte"),
            f"{name}_max": django_filters.NumberFilter(field_name=name, lookup_expr="lte"),
        }
    if isinstance(field, models.CharField) and field.choices:
        return {name: django_filters.MultipleChoiceFilter(field_name=name, choices=field.choices)}
    if isinstance(field, models.CharField):
        # Exact values (codes, slugs, URLs, names); free text goes through ``q``.
        return {name: MultiValueFilter(field_name=name)}
    return {}


class BaseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    created_after = UTCDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UTCDateTimeFilter(field_name="created_at", lookup_expr="lte")
    updated_after = UTCDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    updated_before = UTCDateTimeFilter(field_name="updated_at", lookup_expr="lte")

    # Fields searched (icontains) by ``q``.
    search_fields: tuple[str, ...] = ()
    # Contract fields left without a filter of their own, each with the reason.
    unfiltered: dict[str, str] = {}

    class Meta:
        fields = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        """As django-filter's, but only the filters the request names are copied and
        validated (a list has some fifty; a request names a few). The schema and the other
        readers of the class use ``base_filters``, which stay whole."""
        base_filters = self.base_filters
        if data is not None and prefix is None:
            self.base_filters = {name: filter_ for name, filter_ in base_filters.items() if name in data}
        try:
            super().__init__(data, queryset, request=request, prefix=prefix)
        finally:
            self.base_filters = base_filters

    @classmethod
    def get_filters(cls):
        filters = super().get_filters()
        model = cls._meta.model
        if model is None:
            return filters
        for name in model.contract_field_names():
            if name in filters or name in cls.unfiltered:
                continue
            for filter_name, filter_ in filters_for_field(name, model._meta.get_field(name)).items():
                filters.setdefault(filter_name, filter_)
        return filters

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # By relevance unless ?ordering= says otherwise (``RelevanceOrderingFilter``).
        return ranked(
            queryset.filter(search_condition(queryset.model, self.search_fields, value)), self.search_fields, value
        )
