import django_filters
from django.db.models import Q
from django.utils import timezone

from apps.common.filters import BaseFilterSet, MultiValueFilter
from apps.common.meta import split_key
from apps.common.periods import transfers_overlapping
from apps.geo.models import Country
from apps.resolutions.models import Resolution
from apps.sanctions.models import Measure, Regime
from apps.transfers.findings import audience_of, finding_condition
from apps.transfers.models import Claim, Finding, Transfer
from apps.transfers.services import FINDINGS

FINDING_FILTERS = ("finding", "measure", "regime", "resolution", "obliges")


def _pks(model, values, parts=1):
    """The pks of ``model``'s records whose natural keys are ``values`` (a compound key joined
    with ``|``); unknown keys match nothing."""
    condition = Q()
    for raw in values:
        key = split_key(raw, parts) if parts > 1 else [raw]
        if len(key) != parts:
            continue
        key = model.normalize_natural_key(tuple(key))
        condition |= Q(**dict(zip(model.NATURAL_KEY, key, strict=True)))
    if not condition:
        return []
    return list(model._base_manager.filter(condition).values_list("pk", flat=True))


class FindingFilters(django_filters.FilterSet):
    """Filters on the stored findings (``apps.transfers.findings``), combined on one finding:
    ``?finding=breach&regime=UN-1718`` is a breach under UN-1718, not a breach of anything and
    any finding under UN-1718."""

    finding = MultiValueFilter(
        method="by_finding",
        child=django_filters.fields.ChoiceField(choices=[(k, k) for k in (*FINDINGS, "contravening")]),
        help_text="A finding's kind, or contravening (every kind that says the transfer would break a measure)",
    )
    measure = MultiValueFilter(method="by_finding", help_text='A measure, "REGIME|code" (e.g. UN-1718|arms-export-ban)')
    regime = MultiValueFilter(method="by_finding", help_text="A regime's code (e.g. UN-1718)")
    resolution = MultiValueFilter(
        method="by_finding",
        help_text="A resolution's symbol, through the measure's provisions (e.g. S/RES/2397 (2017))",
    )
    obliges = MultiValueFilter(method="by_finding", help_text="A country whose state the finding obliges (ISO alpha-2)")

    # Path from the filtered records to their findings ("" when they are findings).
    finding_prefix = "findings__"

    def by_finding(self, queryset, name, value):
        return queryset  # applied together in filter_queryset

    def finding_filter(self):
        """The condition on findings the request asks for, or None when it asks for none;
        ``False`` when a key it names matches nothing."""
        data = {name: self.form.cleaned_data.get(name) for name in FINDING_FILTERS}
        if not any(data.values()):
            return None
        keys = {
            "kinds": data["finding"] or (),
            "measures": _pks(Measure, data["measure"], 2) if data["measure"] else (),
            "regimes": _pks(Regime, data["regime"]) if data["regime"] else (),
            "resolutions": _pks(Resolution, data["resolution"]) if data["resolution"] else (),
            "obliges": _pks(Country, data["obliges"]) if data["obliges"] else (),
        }
        asked = {"measures": "measure", "regimes": "regime", "resolutions": "resolution", "obliges": "obliges"}
        if any(data[asked[name]] and not keys[name] for name in asked):
            return False
        return finding_condition(**keys)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        condition = self.finding_filter()
        if condition is None:
            return queryset
        if condition is False:
            return queryset.none()
        user = getattr(self.request, "user", None)
        if self.finding_prefix:
            found = Finding.objects.filter(condition, audience__in=audience_of(user)).values("transfer_id")
            return queryset.filter(pk__in=found)
        return queryset.filter(condition)


class TransferFilterSet(FindingFilters, BaseFilterSet):
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


class FindingFilterSet(FindingFilters):
    """The filters of ``/api/v1/findings/``: those of the transfers' findings, and the
    transfer and its parties."""

    transfer = MultiValueFilter(method="by_transfer", help_text="A transfer's reference")
    country = MultiValueFilter(method="by_country", help_text="Supplier or recipient (ISO alpha-2)")
    finding_prefix = ""

    class Meta:
        model = Finding
        fields = []

    def by_transfer(self, queryset, name, value):
        return queryset.filter(transfer__reference__in=[v.strip() for v in value])

    def by_country(self, queryset, name, value):
        countries = _pks(Country, value)
        return queryset.filter(Q(supplier__in=countries) | Q(recipient__in=countries))
