from apps.common.filters import BaseFilterSet
from apps.geo.models import Country


class CountryFilterSet(BaseFilterSet):
    search_fields = ("iso2", "iso3", "name", "official_name", "aliases")
    unfiltered = {"aliases": "a list; searched by q"}

    class Meta(BaseFilterSet.Meta):
        model = Country
