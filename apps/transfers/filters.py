import django_filters
from django.db.models import Q
from django.utils import timezone

from apps.common.filters import BaseFilterSet, MultiValueFilter
from apps.common.periods import transfers_overlapping
from apps.geo.models import Country
from apps.transfers.models import Claim, Transfer


class TransferFilterSet(BaseFilterSet):
    country = MultiValueFilter(method="filter_country", help_text="Supplier or recipient (ISO alpha-2)")
    active_after = django_filters.DateFilter(
        method="filter_active_after",
        help_text="Transfers still going on that day or later: their span (dates widened by their precision, "
        "an open end running to today) reaches it",
    )
    active_before = django_filters.DateFilter(
        method="filter_active_before",
        help_text="Transfers that had begun by that day: their widened span starts on or before it",
    )

    search_fields = ("reference", "items", "description", "supplier__name", "recipient__name")
    unfiltered = {"items": "free text; searched by q", "description": "free text; searched by q"}

    class Meta(BaseFilterSet.Meta):
        model = Transfer

    def filter_active_after(self, queryset, name, value):
        return queryset.filter(transfers_overlapping(value, None, today=timezone.localdate()))

    def filter_active_before(self, queryset, name, value):
        return queryset.filter(transfers_overlapping(None, value, today=timezone.localdate()))

    def filter_country(self, queryset, name, value):
        codes = [Country.normalize_natural_key((code,))[0] for code in value]
        return queryset.filter(Q(supplier__iso2__in=codes) | Q(recipient__iso2__in=codes))


class ClaimFilterSet(BaseFilterSet):
    search_fields = ("reference", "quote", "summary", "transfer__reference")
    unfiltered = {"quote": "free text; searched by q", "summary": "free text; searched by q"}

    class Meta(BaseFilterSet.Meta):
        model = Claim
