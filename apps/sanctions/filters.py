import django_filters
from django.db.models import Q

from apps.common.filters import BaseFilterSet, NaturalKeyFilter
from apps.resolutions.models import Resolution
from apps.sanctions.choices import TransferCategory
from apps.sanctions.models import Authority, Designation, Measure, Regime


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
    resolution = NaturalKeyFilter(
        field_name="provisions__resolution",
        related_model=Resolution,
        distinct=True,
        help_text="Measures resting on a provision of this resolution",
    )

    search_fields = ("code", "description", "regime__code")
    unfiltered = {"description": "free text; searched by q"}

    class Meta(BaseFilterSet.Meta):
        model = Measure

    def filter_covers(self, queryset, name, value):
        # ``covers`` is a JSON list; matching the quoted category in its text works on
        # SQLite and PostgreSQL alike (the values are fixed choices, so this is exact).
        condition = Q()
        for category in value:
            condition |= Q(covers__icontains=f'"{category}"')
        return queryset.filter(condition)


class DesignationFilterSet(BaseFilterSet):
    search_fields = ("reference", "reason", "regime__code", "actor__name", "actor__slug")
    unfiltered = {"reason": "free text; searched by q"}

    class Meta(BaseFilterSet.Meta):
        model = Designation
