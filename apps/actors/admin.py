from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, path, reverse
from django.views.decorators.http import require_POST
from simple_history.admin import SimpleHistoryAdmin

from apps.actors import services
from apps.actors.models import Actor, MatchProposal
from apps.common.admin import TrackedAdmin
from apps.common.admin_filters import CompactRelatedFilter


@admin.register(Actor)
class ActorAdmin(TrackedAdmin):
    list_display = ["name", "kind", "country", "imo", "role", "slug"]
    list_select_related = ["country"]
    search_fields = ["name", "slug", "aliases", "role", "identifiers", "imo"]
    # Every country: "only those in use" reads every actor.
    list_filter = ["kind", ("country", CompactRelatedFilter)]
    autocomplete_fields = ["country"]
    prepopulated_fields = {"slug": ["name"]}
    # Its designations are edited here too: apps.sanctions.admin registers their inline.


WAITING = MatchProposal.Status.PROPOSED


def actor_facts(actor):
    """What the side-by-side page shows of one actor, with what would move if it were merged."""
    designations = [
        {
            "regime": d.regime.code,
            "authority": d.regime.authority.code,
            "reference": d.reference,
            "listed_on": d.listed_on,
            "delisted_on": d.delisted_on,
        }
        for d in actor.designations.select_related("regime__authority").order_by("listed_on", "regime__code")
    ]
    records = []
    for relation in Actor._meta.related_objects:
        if relation.related_model is MatchProposal:
            continue
        count = relation.related_model._base_manager.filter(**{relation.field.name: actor}).count()
        if count:
            meta = relation.related_model._meta
            label = meta.verbose_name if count == 1 else meta.verbose_name_plural
            records.append(f"{count} {label} ({relation.field.verbose_name})")
    try:
        public = reverse("explore:actor", args=[actor.slug])
    except NoReverseMatch:
        public = ""
    return {
        "actor": actor,
        "admin_url": reverse("admin:actors_actor_change", args=[actor.pk]),
        "public_url": public,
        "identifiers": sorted(actor.identifiers.items()) if isinstance(actor.identifiers, dict) else [],
        "designations": designations,
        "records": records,
    }


@admin.register(MatchProposal)
class MatchProposalAdmin(SimpleHistoryAdmin):
    """The editors' queue: two actors that may be one, waiting ones first. Nothing here is
    typed by hand: an import proposes, an editor accepts (one actor) or rejects (two)."""

    list_display = ["actor_slug", "candidate", "reason", "listed_as", "status", "proposed_at", "decided_by"]
    list_select_related = ["candidate", "decided_by"]
    list_filter = ["status"]
    search_fields = ["actor_slug", "actor__name", "candidate__name", "candidate__slug", "listed_as", "reason"]
    actions = ["accept_selected", "reject_selected"]
    change_form_template = "admin/actors/matchproposal/change_form.html"
    list_per_page = 50
    fields = readonly_fields = [
        "actor_slug",
        "actor",
        "candidate",
        "reason",
        "listed_as",
        "status",
        "proposed_at",
        "decided_by",
        "decided_at",
    ]

    def get_ordering(self, request):
        waiting_first = Case(When(status=WAITING, then=Value(0)), default=Value(1), output_field=IntegerField())
        return [waiting_first.asc(), "-proposed_at", "-pk"]

    # Proposals are made by imports and decided through the buttons: never added, edited or
    # deleted by hand (the change page is read-only for everyone).
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or services.can_decide(request.user)

    def has_decide_permission(self, request):
        return services.can_decide(request.user)

    def get_urls(self):
        view = self.admin_site.admin_view(self.decide_view)
        own = [
            path("<int:pk>/accept/", view, {"decision": "accept"}, name="actors_matchproposal_accept"),
            path("<int:pk>/reject/", view, {"decision": "reject"}, name="actors_matchproposal_reject"),
        ]
        return own + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        proposal = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if proposal is not None:
            extra["sides"] = [
                {"title": "The list entry's actor", "slug": proposal.actor_slug, **self._side(proposal.actor)},
                {
                    "title": "The stored actor it may be",
                    "slug": proposal.candidate.slug,
                    **self._side(proposal.candidate),
                },
            ]
            extra["can_decide"] = proposal.status == WAITING and services.can_decide(request.user)
        return super().change_view(request, object_id, form_url, extra_context=extra)

    @staticmethod
    def _side(actor):
        return actor_facts(actor) if actor is not None else {"actor": None}

    @staticmethod
    def _decide(request, proposal, decision):
        try:
            if decision == "accept":
                services.accept(proposal, request.user)
                text = f"Accepted: {proposal.actor_slug} is merged into {proposal.candidate.slug}, one actor."
            else:
                services.reject(proposal, request.user)
                text = f"Rejected: {proposal.actor_slug} and {proposal.candidate.slug} stay two actors."
        except services.DecisionRefused as refused:
            messages.error(request, str(refused))
            return False
        messages.success(request, text)
        return True

    def decide_view(self, request, pk, decision):
        if not services.can_decide(request.user):
            raise PermissionDenied
        return require_POST(self._decide_view)(request, pk, decision)

    def _decide_view(self, request, pk, decision):
        proposal = get_object_or_404(MatchProposal.objects.select_related("candidate"), pk=pk)
        self._decide(request, proposal, decision)
        return HttpResponseRedirect(reverse("admin:actors_matchproposal_change", args=[pk]))

    @admin.action(description="Accept: one actor", permissions=["decide"])
    def accept_selected(self, request, queryset):
        for proposal in queryset.select_related("candidate"):
            self._decide(request, proposal, "accept")

    @admin.action(description="Reject: two actors", permissions=["decide"])
    def reject_selected(self, request, queryset):
        for proposal in queryset.select_related("candidate"):
            self._decide(request, proposal, "reject")
