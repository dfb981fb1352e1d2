from django.contrib import admin

from apps.common.admin import TrackedAdmin, changelist_link, links_list
from apps.geo.models import Country


@admin.register(Country)
class CountryAdmin(TrackedAdmin):
    list_display = ["name", "iso2", "iso3", "sc_permanent_member", "un_member_since"]
    list_display_links = ["name", "iso2"]
    search_fields = ["iso2", "iso3", "name", "official_name", "aliases"]
    list_filter = ["sc_permanent_member"]
    readonly_fields = ["related_records"]

    @admin.display(description="Related records")
    def related_records(self, country):
        from apps.resolutions.models import Vote
        from apps.sanctions.models import Designation, Measure, Regime
        from apps.transfers.models import Transfer

        if country.pk is None:
            return "—"
        key = country.pk
        return links_list(
            [
                changelist_link(Transfer, "Transfers it supplied", supplier__id__exact=key),
                changelist_link(Transfer, "Transfers it received", recipient__id__exact=key),
                changelist_link(Regime, "Regimes targeting it", target_country__id__exact=key),
                changelist_link(Measure, "Measures of regimes targeting it", regime__target_country__id__exact=key),
                changelist_link(Designation, "Designations of its actors", actor__country__id__exact=key),
                changelist_link(Vote, "Its votes", country__id__exact=key),
            ]
        )
