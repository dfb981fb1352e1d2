"""List filters of the editors' changelists that keep a changelist on one screen.

``CompactRelatedFilter`` and ``CompactChoicesFilter``: a filter on a relation or a field
with many possible values (the 249 countries, the 28 transfer categories) drawn as one drop-down with a button rather than a column of links; it reads
the same parameter as Django's (``supplier__id__exact``), so every link to a filtered
changelist keeps working, and it keeps the other filters and the search of the page.
``missing_filter``: records lacking something an editor should add (a source, a quote, a
date); the admin's home counts and links to each of its options (``missing_conditions``).
"""

from django.contrib import admin
from django.db.models import Q


class CompactFilterMixin:
    """Drawn as a drop-down (``lookup_choices``: ``[(value, label)]``) and a button in a form
    that keeps the page's other parameters (``kept``) as hidden fields."""

    template = "admin/common/compact_filter.html"

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        ours = {*self.expected_parameters(), "p"}
        self.kept = [(key, value) for key, values in request.GET.lists() if key not in ours for value in values]


class CompactRelatedFilter(CompactFilterMixin, admin.RelatedFieldListFilter):
    def field_choices(self, field, request, model_admin):
        # The related model's own order and label; no count, no read of the filtered table.
        return field.get_choices(include_blank=False, ordering=field.remote_field.model._meta.ordering or ())


class CompactChoicesFilter(CompactFilterMixin, admin.ChoicesFieldListFilter):
    """A field with many choices (the transfer categories) as one drop-down."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.lookup_choices = list(field.flatchoices)


def missing_filter(title, parameter, conditions):
    """A list filter ``title`` whose options are ``conditions``: ``{value: (label, Q)}``, each
    a ``Q`` of the records that lack something, its label what they lack ("without a source")."""

    class MissingFilter(admin.SimpleListFilter):
        def lookups(self, request, model_admin):
            return [(value, label) for value, (label, _q) in conditions.items()]

        def queryset(self, request, queryset):
            if self.value() in conditions:
                return queryset.filter(conditions[self.value()][1])
            return queryset

    MissingFilter.title = title
    MissingFilter.parameter_name = parameter
    MissingFilter.conditions = conditions
    return MissingFilter


def missing_conditions(model_admin):
    """``[(parameter, value, label, Q)]`` of the ``missing_filter`` options of a model's admin."""
    return [
        (spec.parameter_name, value, label, condition)
        for spec in model_admin.list_filter
        if isinstance(spec, type) and hasattr(spec, "conditions")
        for value, (label, condition) in spec.conditions.items()
    ]


MISSING_SOURCE = missing_filter("missing", "missing", {"source": ("without a source", Q(sources__isnull=True))})
