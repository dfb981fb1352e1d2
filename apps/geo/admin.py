from django.contrib import admin

from apps.common.admin import TrackedAdmin
from apps.geo.models import Country


@admin.register(Country)
class CountryAdmin(TrackedAdmin):
    list_display = ["name", "iso2", "iso3", "sc_permanent_member", "un_member_since"]
    list_display_links = ["name", "iso2"]
    search_fields = ["iso2", "iso3", "name", "official_name", "aliases"]
    list_filter = ["sc_permanent_member"]
    readonly_fields = ["related_records"]
