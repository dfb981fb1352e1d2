from django.contrib import admin

from apps.common.admin import CuratedAdmin, prefetch_labelled
from apps.common.admin_filters import MISSING_SOURCE
from apps.relations.models import Event, Relationship, Statement


@admin.register(Relationship)
class RelationshipAdmin(CuratedAdmin):
    list_display = ["title", "kind", "country_a", "country_b", "started_on", "ended_on", "review_status"]
    list_select_related = ["country_a", "country_b"]
    search_fields = ["reference", "title", "description", "country_a__name", "country_b__name"]
    list_filter = [
        "review_status",
        "kind",
        ("country_a", admin.RelatedOnlyFieldListFilter),
        ("country_b", admin.RelatedOnlyFieldListFilter),
        MISSING_SOURCE,
    ]
    date_hierarchy = "started_on"
    autocomplete_fields = ["country_a", "country_b", "sources"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related(*prefetch_labelled(Relationship, "sources"))


@admin.register(Event)
class EventAdmin(CuratedAdmin):
    list_display = ["title", "kind", "started_on", "ended_on", "location", "review_status"]
    list_select_related = ["location"]
    search_fields = ["reference", "title", "description"]
    list_filter = [
        "review_status",
        "kind",
        ("location", admin.RelatedOnlyFieldListFilter),
        ("countries", admin.RelatedOnlyFieldListFilter),
        MISSING_SOURCE,
    ]
    date_hierarchy = "started_on"
    autocomplete_fields = ["location", "countries", "participants", "sources"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(*prefetch_labelled(Event, "countries", "participants", "sources"))
        )


@admin.register(Statement)
class StatementAdmin(CuratedAdmin):
    list_display = ["reference", "speaker", "on_behalf_of", "made_on", "short_quote", "review_status"]
    list_select_related = ["speaker", "on_behalf_of"]
    search_fields = ["reference", "quote", "speaker__name", "source__title"]
    list_filter = [
        "review_status",
        ("on_behalf_of", admin.RelatedOnlyFieldListFilter),
        ("about", admin.RelatedOnlyFieldListFilter),
    ]
    date_hierarchy = "made_on"
    autocomplete_fields = ["speaker", "on_behalf_of", "source", "about", "event"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related(*prefetch_labelled(Statement, "about"))

    @admin.display(description="Quote")
    def short_quote(self, statement):
        return statement.quote[:80] + ("…" if len(statement.quote) > 80 else "")
