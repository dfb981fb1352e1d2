from django import forms
from django.contrib import admin

from apps.actors.models import Actor
from apps.common.admin import (
    TrackedAdmin,
    TrackedStackedInline,
    TrackedTabularInline,
    prefetch_labelled,
    related_panels,
)
from apps.common.admin_filters import CompactRelatedFilter
from apps.common.admin_forms import TrackedForm
from apps.geo.models import Country
from apps.resolutions.models import Resolution
from apps.sanctions.choices import ObligedParty, TransferCategory
from apps.sanctions.models import Authority, Designation, Measure, Regime


class MeasureForm(TrackedForm):
    covers = forms.MultipleChoiceField(
        choices=TransferCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Transfer categories this measure forbids: a parent (arms, fuel, …) covers all its leaves.",
    )
    obliges = forms.MultipleChoiceField(
        choices=ObligedParty.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Whose state the measure obliges. None ticked: the default for its direction.",
    )

    class Meta:
        model = Measure
        fields = "__all__"


@admin.register(Authority)
class AuthorityAdmin(TrackedAdmin):
    list_display = ["code", "name", "kind", "binds", "country"]
    list_select_related = ["country"]
    search_fields = ["code", "name"]
    list_filter = ["kind", "binds"]
    autocomplete_fields = ["country", "members"]


class MeasureInline(TrackedStackedInline):
    model = Measure
    form = MeasureForm
    fields = [
        "code",
        ("kind", "direction"),
        "covers",
        "obliges",
        ("cap_quantity", "cap_unit", "cap_period"),
        "provisions",
        ("started_on", "ended_on"),
        "exemptions",
        "description",
    ]
    autocomplete_fields = ["provisions"]


@admin.register(Regime)
class RegimeAdmin(TrackedAdmin):
    list_display = ["code", "name", "authority", "target_country", "started_on", "ended_on"]
    list_select_related = ["authority", "target_country"]
    search_fields = ["code", "name", "description"]
    list_filter = [
        ("authority", admin.RelatedOnlyFieldListFilter),
        ("target_country", admin.RelatedOnlyFieldListFilter),
        ("resolutions", admin.RelatedOnlyFieldListFilter),
    ]
    date_hierarchy = "started_on"
    autocomplete_fields = ["authority", "target_country", "resolutions"]
    readonly_fields = ["related_records"]
    inlines = [MeasureInline]


@admin.register(Measure)
class MeasureAdmin(TrackedAdmin):
    form = MeasureForm
    list_display = ["__str__", "kind", "direction", "covers", "started_on", "ended_on"]
    list_select_related = ["regime"]
    search_fields = ["regime__code", "code", "description"]
    list_filter = [
        "kind",
        "direction",
        ("regime", admin.RelatedOnlyFieldListFilter),
        ("regime__authority", admin.RelatedOnlyFieldListFilter),
        ("regime__target_country", admin.RelatedOnlyFieldListFilter),
        ("provisions__resolution", admin.RelatedOnlyFieldListFilter),
    ]
    autocomplete_fields = ["regime", "provisions"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related(*prefetch_labelled(Measure, "provisions"))


@admin.register(Designation)
class DesignationAdmin(TrackedAdmin):
    list_display = ["reference", "actor", "regime", "listed_on", "delisted_on"]
    list_select_related = ["actor", "regime"]
    search_fields = ["reference", "actor__name", "actor__aliases", "regime__code", "reason"]
    list_filter = [
        # Every regime, authority and country: "only those in use" reads every designation.
        "regime",
        "regime__authority",
        "actor__kind",
        ("actor__country", CompactRelatedFilter),
        ("delisted_on", admin.EmptyFieldListFilter),
        ("listed_on", admin.DateFieldListFilter),
    ]
    autocomplete_fields = ["regime", "actor", "sources"]


class DesignationInline(TrackedTabularInline):
    model = Designation
    fields = ["regime", "reference", "listed_on", "delisted_on", "reason", "sources"]
    autocomplete_fields = ["regime", "sources"]


related_panels.link(Country, Regime, "Regimes targeting it", "target_country__id__exact")
related_panels.link(Country, Measure, "Measures of regimes targeting it", "regime__target_country__id__exact")
related_panels.link(Country, Designation, "Designations of its actors", "actor__country__id__exact")
related_panels.link(Resolution, Regime, "Regimes listing it", "resolutions__id__exact")
related_panels.link(Resolution, Measure, "Measures citing it", "provisions__resolution__id__exact")
related_panels.link(Regime, Designation, "Its designations", "regime__id__exact")
related_panels.link(Regime, Measure, "Its measures", "regime__id__exact")
related_panels.inline(Actor, DesignationInline)
