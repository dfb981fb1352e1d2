from django.db.models import Q

from apps.common.filters import BaseFilterSet, MultiValueFilter
from apps.geo.models import Country
from apps.relations.models import Event, Relationship, Statement


class RelationshipFilterSet(BaseFilterSet):
    country = MultiValueFilter(method="filter_country", help_text="Either party (ISO alpha-2)")

    search_fields = ("reference", "title", "description")
    unfiltered = {"description": "free text; searched by q"}

    class Meta(BaseFilterSet.Meta):
        model = Relationship

    def filter_country(self, queryset, name, value):
        codes = [Country.normalize_natural_key((code,))[0] for code in value]
        return queryset.filter(Q(country_a__iso2__in=codes) | Q(country_b__iso2__in=codes))


class EventFilterSet(BaseFilterSet):
    search_fields = ("reference", "title", "description")
    unfiltered = {"description": "free text; searched by q"}

    class Meta(BaseFilterSet.Meta):
        model = Event


class StatementFilterSet(BaseFilterSet):
    search_fields = ("reference", "quote", "speaker__name")
    unfiltered = {"quote": "free text; searched by q"}

    class Meta(BaseFilterSet.Meta):
        model = Statement
