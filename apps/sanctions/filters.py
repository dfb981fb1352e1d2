import django_filters
from django.db.models import Q

from apps.common.filters import BaseFilterSet, NaturalKeyFilter
from apps.resolutions.models import Resolution
from apps.sanctions.choices import ObligedParty, TransferCategory, category_and_ancestors
from apps.sanctions.models import DEFAULT_OBLIGES, Authority, Designation, Measure, Regime


class AuthorityFilterSet(BaseFilterSet):
    search_fields = ("code", "name")

    class Meta(BaseFilterSet.Meta):
        model = Authority


class RegimeFilterSet(BaseFilterSet):
    search_fields = ("code", "name", "description")
    unfiltered = {"description": "free text; searched by q"}

    class Meta(BaseFilterSet.Meta):
        model = Regime


class MeasureFilterSet(BaseFilterSet):
    covers = django_filters.MultipleChoiceFilter(
        choices=TransferCategory.choices,
        method="filter_covers",
        help_text="Measures covering any of these transfer categories",
    )
    covers_in_part = django_filters.MultipleChoiceFilter(
        choices=TransferCategory.choices,
        method="filter_covers_in_part",
        help_text="Measures covering only a part of any of these transfer categories",
    )
    obliges = django_filters.MultipleChoiceFilter(
        choices=ObligedParty.choices,
        method="filter_obliges",
        help_text="Measures obliging the state of this party (as given, or by default for their direction)",
    )
    resolution = NaturalKeyFilter(
        field_name="provisions__resolution",
        related_model=Resolution,
        distinct=True,
        help_text="Measures resting on a provision of this resolution",
    )

    search_fields = ("code", "description", "exemptions", "scope_note", "regime__code")
    unfiltered = {
        "description": "free text; searched by q",
        "exemptions": "free text; searched by q",
        "scope_note": "free text; searched by q",
    }

    class Meta(BaseFilterSet.Meta):
        model = Measure

    def filter_covers(self, queryset, name, value):
        """Measures that apply to a transfer of any of these categories: covering it or its
        parent. ``covers`` is a JSON list; matching the quoted category in its text works on
        SQLite and PostgreSQL alike (the values are fixed choices, so this is exact)."""
        condition = Q()
        for category in value:
            for covered in category_and_ancestors(category):
                condition |= Q(covers__icontains=f'"{covered}"')
        return queryset.filter(condition)

    def filter_covers_in_part(self, queryset, name, value):
        """Measures naming any of these categories in ``covers_in_part`` (a JSON list of fixed
        choices: its quoted text is matched, on SQLite and PostgreSQL alike)."""
        condition = Q()
        for category in value:
            condition |= Q(covers_in_part__icontains=f'"{category}"')
        return queryset.filter(condition)

    def filter_obliges(self, queryset, name, value):
        condition = Q()
        for party in value:
            condition |= Q(obliges__icontains=f'"{party}"')
            defaulted = [direction for direction, sides in DEFAULT_OBLIGES.items() if party in sides]
            condition |= Q(obliges=[], direction__in=defaulted)
        return queryset.filter(condition)


class DesignationFilterSet(BaseFilterSet):
    search_fields = ("reference", "reason", "regime__code", "actor__name", "actor__slug")
    unfiltered = {"reason": "free text; searched by q"}

    class Meta(BaseFilterSet.Meta):
        model = Designation
