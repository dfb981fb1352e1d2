from django import forms
from django.contrib import admin

from apps.common.admin import TrackedAdmin, TrackedStackedInline, changelist_link, links_list, prefetch_labelled
from apps.common.admin_forms import TrackedForm
from apps.sanctions.choices import TransferCategory
from apps.sanctions.models import Authority, Designation, Measure, Regime


class MeasureForm(TrackedForm):
    covers = forms.MultipleChoiceField(
        choices=TransferCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Transfer categories this measure forbids.",
    )

    class Meta:
        model = Measure
        fields = "__all__"


@admin.register(Authority)
class AuthorityAdmin(TrackedAdmin):
    list_display = ["code", "name", "kind", "country"]
    list_select_related = ["country"]
    search_fields = ["code", "name"]
    list_filter = ["kind"]
    autocomplete_fields = ["country"]


class MeasureInline(TrackedStackedInline):
    model = Measure
    form = MeasureForm
    fields = ["code", "kind", "direction", "covers", "provisions", "started_on", "ended_on", "description"]
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

    @admin.display(description="Related records")
    def related_records(self, regime):
        from apps.transfers.models import Transfer

        if regime.pk is None:
            return "—"
        links = [
            changelist_link(Designation, "Its designations", regime__id__exact=regime.pk),
            changelist_link(Measure, "Its measures", regime__id__exact=regime.pk),
        ]
        if regime.target_country_id:
            target = regime.target_country_id
            links += [
                changelist_link(Transfer, "Transfers from its target", supplier__id__exact=target),
                changelist_link(Transfer, "Transfers to its target", recipient__id__exact=target),
            ]
        return links_list(links)


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
        ("regime", admin.RelatedOnlyFieldListFilter),
        ("regime__authority", admin.RelatedOnlyFieldListFilter),
        "actor__kind",
        ("actor__country", admin.RelatedOnlyFieldListFilter),
        ("delisted_on", admin.EmptyFieldListFilter),
    ]
    date_hierarchy = "listed_on"
    autocomplete_fields = ["regime", "actor", "sources"]
