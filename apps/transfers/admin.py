from operator import attrgetter

from django.contrib import admin
from django.db.models import Q
from django.template.loader import render_to_string

from apps.common.admin import CuratedAdmin, TrackedStackedInline, prefetch_labelled, related_panels
from apps.common.admin_filters import MISSING_SOURCE, CompactChoicesFilter, CompactRelatedFilter, missing_filter
from apps.geo.models import Country
from apps.sanctions.choices import CapPeriod
from apps.sanctions.models import Regime
from apps.transfers.caps import cap_standing_text, cap_total_text, number_text
from apps.transfers.findings import queued_count
from apps.transfers.models import Claim, FindingsQueue, Transfer
from apps.transfers.services import FINDING_LABELS, FINDINGS, transfer_contraventions


class ClaimInline(TrackedStackedInline):
    model = Claim
    extra = 1
    fields = [
        ("reference", "stance", "made_on"),
        ("claimant_country", "claimant_actor"),
        "source",
        "quote",
        "summary",
        "review_status",
    ]
    autocomplete_fields = ["claimant_country", "claimant_actor", "source"]


def cap_line(contravention):
    """A cap's arithmetic in one short line (its reasons say it in full), or "" without a cap."""
    cap = contravention.cap
    if cap is None:
        return ""
    period = contravention.measure.cap_period
    per = f" per {CapPeriod(period).label.lower()}" if period in CapPeriod.values else ""
    transfers = f"{cap.counted} transfer{'' if cap.counted == 1 else 's'}"
    uncounted = f"; {cap.uncounted} not counted" if cap.uncounted else ""
    start, end = cap.period.start or "…", cap.period.end or "…"
    return (
        f"Cap {number_text(cap.quantity)} {cap.unit}{per} ({start} – {end}): {cap_total_text(cap)} over "
        f"{transfers}, {cap_standing_text(cap)}{uncounted}."
    )


def findings_panel(findings):
    """What the findings panel shows: ``rows``, one per finding in the order of ``FINDINGS``
    (the engine's order within a kind), and ``kinds``, how many of each kind (no query)."""
    order = {kind: index for index, kind in enumerate(FINDINGS)}
    findings = sorted(findings, key=lambda finding: order[finding.finding])
    rows = [
        {
            "finding": finding,
            "kind": finding.finding.replace("_", " "),
            "kind_label": FINDING_LABELS[finding.finding],
            "cap": cap_line(finding),
        }
        for finding in findings
    ]
    kinds = [
        {"finding": kind, "label": FINDING_LABELS[kind], "count": count}
        for kind in FINDINGS
        if (count := sum(finding.finding == kind for finding in findings))
    ]
    return {"rows": rows, "kinds": kinds}


@admin.register(Transfer)
class TransferAdmin(CuratedAdmin):
    list_display = [
        "reference",
        "category",
        "supplier",
        "recipient",
        "started_on",
        "ended_on",
        "status",
        "review_status",
    ]
    list_select_related = ["supplier", "recipient"]
    search_fields = ["reference", "items", "description", "supplier__name", "recipient__name"]
    list_filter = [
        "review_status",
        "status",
        ("category", CompactChoicesFilter),
        # Every country, not only those in use ("only those in use" reads every transfer), as
        # one drop-down each.
        ("supplier", CompactRelatedFilter),
        ("recipient", CompactRelatedFilter),
        MISSING_SOURCE,
        # No date hierarchy: its years are read from every transfer on each page.
        ("started_on", admin.DateFieldListFilter),
    ]
    autocomplete_fields = [
        "supplier",
        "recipient",
        "supplier_actor",
        "recipient_actor",
        "via",
        "vessels",
        "in_exchange_for",
        "sources",
    ]
    change_select_related = ["supplier", "recipient", "supplier_actor", "recipient_actor"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "reference",
                    ("supplier", "recipient"),
                    ("supplier_actor", "recipient_actor"),
                    "category",
                    "items",
                    ("quantity_low", "quantity_high", "quantity_unit"),
                    ("started_on", "ended_on", "date_precision"),
                    "via",
                    "vessels",
                    "status",
                    "review_status",
                    "sources",
                    "in_exchange_for",
                    "description",
                ]
            },
        ),
        ("Contraventions", {"fields": ["contraventions"]}),
    ]
    readonly_fields = ["contraventions"]
    inlines = [ClaimInline]

    class Media:
        css = {"all": ["transfers/findings-panel.css"]}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(*prefetch_labelled(Transfer, "via", "vessels", "sources", "in_exchange_for"))
        )

    @admin.display(description="Sanctions this transfer would break")
    def contraventions(self, transfer):
        if transfer.pk is None:
            return "Save the transfer to see which sanctions it would break."
        queue = FindingsQueue.objects.all()
        return render_to_string(
            "admin/transfers/contraventions.html",
            {
                "transfer": transfer,
                **findings_panel(transfer_contraventions(transfer)),
                "queued": queued_count(),
                "queued_here": queue.filter(transfer_id=transfer.pk).exists(),
            },
        )


CLAIM_MISSING = missing_filter(
    "missing",
    "missing",
    {"quote": ("without a quote", Q(quote="")), "date": ("without a date", Q(made_on__isnull=True))},
)


@admin.register(Claim)
class ClaimAdmin(CuratedAdmin):
    list_display = ["reference", "transfer", "stance", "claimant", "made_on", "source", "review_status"]
    list_select_related = ["transfer__supplier", "transfer__recipient", "claimant_country", "claimant_actor", "source"]
    search_fields = ["reference", "quote", "summary", "transfer__reference", "claimant_actor__name", "source__title"]
    list_filter = [
        "review_status",
        "stance",
        ("transfer__category", CompactChoicesFilter),
        ("claimant_country", CompactRelatedFilter),
        ("made_on", admin.DateFieldListFilter),
        CLAIM_MISSING,
    ]
    autocomplete_fields = ["transfer", "claimant_country", "claimant_actor", "source"]

    @admin.display(description="Claimant")
    def claimant(self, claim):
        return claim.claimant_actor or claim.claimant_country


related_panels.link(Country, Transfer, "Transfers it supplied", "supplier__id__exact")
related_panels.link(Country, Transfer, "Transfers it received", "recipient__id__exact")
related_panels.link(
    Regime, Transfer, "Transfers from its target", "supplier__id__exact", value=attrgetter("target_country_id")
)
related_panels.link(
    Regime, Transfer, "Transfers to its target", "recipient__id__exact", value=attrgetter("target_country_id")
)
