from django.contrib import admin

from apps.actors.models import Actor
from apps.common.admin import TrackedAdmin, TrackedTabularInline
from apps.sanctions.models import Designation


class DesignationInline(TrackedTabularInline):
    model = Designation
    fields = ["regime", "reference", "listed_on", "delisted_on", "reason", "sources"]
    autocomplete_fields = ["regime", "sources"]


@admin.register(Actor)
class ActorAdmin(TrackedAdmin):
    list_display = ["name", "kind", "country", "role", "slug"]
    list_select_related = ["country"]
    search_fields = ["name", "slug", "aliases", "role", "identifiers"]
    list_filter = ["kind", ("country", admin.RelatedOnlyFieldListFilter)]
    autocomplete_fields = ["country"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [DesignationInline]
