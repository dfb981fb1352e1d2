from django.contrib import admin

from apps.actors.models import Actor
from apps.common.admin import TrackedAdmin
from apps.common.admin_filters import CompactRelatedFilter


@admin.register(Actor)
class ActorAdmin(TrackedAdmin):
    list_display = ["name", "kind", "country", "role", "slug"]
    list_select_related = ["country"]
    search_fields = ["name", "slug", "aliases", "role", "identifiers"]
    # Every country: "only those in use" reads every actor.
    list_filter = ["kind", ("country", CompactRelatedFilter)]
    autocomplete_fields = ["country"]
    prepopulated_fields = {"slug": ["name"]}
    # Its designations are edited here too: apps.sanctions.admin registers their inline.
