import django_filters

from apps.common.filters import BaseFilterSet, MultiValueFilter
from apps.resolutions.models import Provision, Resolution, Vote, normalize_symbol


class ResolutionFilterSet(BaseFilterSet):
    symbol = MultiValueFilter(method="filter_symbol", help_text="With or without the space before (year)")

    search_fields = ("symbol", "title", "summary", "meeting")
    unfiltered = {"title": "free text; searched by q", "summary": "free text; searched by q"}

    class Meta(BaseFilterSet.Meta):
        model = Resolution

    def filter_symbol(self, queryset, name, value):
        return queryset.filter(symbol__in=[normalize_symbol(symbol) for symbol in value])


class VoteFilterSet(BaseFilterSet):
    veto = django_filters.BooleanFilter(method="filter_veto", help_text="Vetoes only (true) or none (false)")

    search_fields = ("resolution__symbol", "resolution__title", "country__iso2", "country__name")

    class Meta(BaseFilterSet.Meta):
        model = Vote

    def filter_veto(self, queryset, name, value):
        vetoes = Vote.objects.vetoes().values("pk")
        return queryset.filter(pk__in=vetoes) if value else queryset.exclude(pk__in=vetoes)


class ProvisionFilterSet(BaseFilterSet):
    search_fields = ("paragraph", "summary", "resolution__symbol")
    unfiltered = {"summary": "free text; searched by q"}

    class Meta(BaseFilterSet.Meta):
        model = Provision
