from django.contrib import admin
from django.db.models import Prefetch

from apps.common.admin import TrackedAdmin, TrackedTabularInline, related_panels
from apps.geo.models import Country
from apps.resolutions.models import Provision, Resolution, Vote

related_panels.link(Country, Vote, "Its votes", "country__id__exact")
related_panels.link(Resolution, Vote, "Its votes", "resolution__id__exact")


def tally_text(resolution):
    """The tally with its vetoes, e.g. "13–2–0, vetoed by China, Russian Federation"."""
    vetoes = [country.name for country in resolution.vetoed_by]
    return f"{resolution.tally}, vetoed by {', '.join(vetoes)}" if vetoes else resolution.tally


class VoteInline(TrackedTabularInline):
    model = Vote
    fields = ["country", "position"]
    autocomplete_fields = ["country"]


class ProvisionInline(TrackedTabularInline):
    model = Provision
    fields = ["paragraph", "summary"]


@admin.register(Resolution)
class ResolutionAdmin(TrackedAdmin):
    list_display = ["symbol", "voted_on", "outcome", "tally", "chapter_vii", "title"]
    search_fields = ["symbol", "title", "meeting", "summary"]
    list_filter = ["outcome", "body", "chapter_vii", "adopted_without_vote"]
    date_hierarchy = "voted_on"
    readonly_fields = ["tally", "related_records"]
    inlines = [VoteInline, ProvisionInline]

    def get_queryset(self, request):
        votes = Vote.objects.select_related("country", "resolution")
        return super().get_queryset(request).prefetch_related(Prefetch("votes", queryset=votes))

    @admin.display(description="Tally (yes–no–abstain)")
    def tally(self, resolution):
        return tally_text(resolution) if resolution.pk else "—"


@admin.register(Vote)
class VoteAdmin(TrackedAdmin):
    list_display = ["resolution", "country", "position", "is_veto"]
    list_select_related = ["resolution", "country"]
    search_fields = ["resolution__symbol", "country__name", "country__iso2"]
    list_filter = [
        "position",
        "resolution__outcome",
        ("country", admin.RelatedOnlyFieldListFilter),
        ("resolution", admin.RelatedOnlyFieldListFilter),
    ]
    autocomplete_fields = ["resolution", "country"]

    @admin.display(boolean=True, description="Veto")
    def is_veto(self, vote):
        return vote.is_veto


@admin.register(Provision)
class ProvisionAdmin(TrackedAdmin):
    list_display = ["resolution", "paragraph", "summary"]
    list_select_related = ["resolution"]
    search_fields = ["resolution__symbol", "paragraph", "summary"]
    list_filter = [("resolution", admin.RelatedOnlyFieldListFilter)]
    autocomplete_fields = ["resolution"]
