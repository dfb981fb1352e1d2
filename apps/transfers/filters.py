from django.db.models import Q

from apps.common.filters import BaseFilterSet, MultiValueFilter
from apps.geo.models import Country
from apps.transfers.models import Claim, Transfer


class TransferFilterSet(BaseFilterSet):
    country = MultiValueFilter(method="filter_country", help_text="Supplier or recipient (ISO alpha-2)")

    search_fields = ("reference", "items", "description", "supplier__name", "recipient__name")
    unfiltered = {"items": "free text; searched by q", "description": "free text; searched by q"}

    class Meta(BaseFilterSet.Meta):
        model = Transfer

    def filter_country(self, queryset, name, value):
        codes = [Country.normalize_natural_key((code,))[0] for code in value]
        return queryset.filter(Q(supplier__iso2__in=codes) | Q(recipient__iso2__in=codes))


class ClaimFilterSet(BaseFilterSet):
    search_fields = ("reference", "quote", "summary", "transfer__reference")
    unfiltered = {"quote": "free text; searched by q", "summary": "free text; searched by q"}

    class Meta(BaseFilterSet.Meta):
        model = Claim
