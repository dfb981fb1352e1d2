from django.db import router
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.common.api.compiled import request_key
from apps.common.api.renderers import CSVRenderer, ORJSONRenderer
from apps.common.api.views import BaseViewSet, RequestScopedAnswers
from apps.common.compiled import PLACEHOLDERS, CompiledRead, kept
from apps.common.roles import sees_drafts
from apps.geo.models import Country
from apps.transfers.api.serializers import (
    ClaimSerializer,
    StoredFindingSerializer,
    TransferContraventionsSerializer,
    TransferSerializer,
)
from apps.transfers.filters import ClaimFilterSet, FindingFilterSet, TransferFilterSet
from apps.transfers.findings import audience_of, queued_count
from apps.transfers.models import Claim, Finding, Transfer
from apps.transfers.services import transfer_contraventions

# The columns of a transfer its findings show, in the model's order (``Model.from_db``).
CONTRAVENING_COLUMNS = [
    field.attname
    for field in Transfer._meta.concrete_fields
    if field.name
    in {"id", "reference", "category", "started_on", "ended_on", "date_precision", "status", "supplier", "recipient"}
]


class TransferViewSet(BaseViewSet):
    queryset = Transfer.objects.all()
    serializer_class = TransferSerializer
    filterset_class = TransferFilterSet

    def contravening_transfer(self):
        """The transfer the URL names, as its findings show it: its own columns and its two
        countries' codes, read by one statement compiled once (``apps.common.compiled``); 404
        when the client may not read it."""
        stand_in = PLACEHOLDERS[str]
        read = kept(
            request_key(self, self.request, "contraventions"),
            lambda: CompiledRead(
                Transfer.objects.visible_to(self.request.user)
                .filter(reference=stand_in)
                .values(*CONTRAVENING_COLUMNS, "supplier__iso2", "recipient__iso2")[:1],
                {"key": stand_in},
            ),
        )
        rows = read.run(key=self.lookup_key())
        if not rows:
            raise Http404
        row, alias = rows[0], router.db_for_read(Transfer)
        transfer = Transfer.from_db(alias, CONTRAVENING_COLUMNS, [row[name] for name in CONTRAVENING_COLUMNS])
        transfer.supplier = Country.from_db(alias, ["id", "iso2"], [row["supplier_id"], row["supplier__iso2"]])
        transfer.recipient = Country.from_db(alias, ["id", "iso2"], [row["recipient_id"], row["recipient__iso2"]])
        self.check_object_permissions(self.request, transfer)
        return transfer

    @extend_schema(responses=TransferContraventionsSerializer, parameters=[], filters=False)
    @action(detail=True, pagination_class=None, filter_backends=[])
    def contraventions(self, request, *args, **kwargs):
        """The findings of this transfer (docs/data-model.md, "The findings"): the measures it
        would break (breach, possible_breach), the trade caps it counts toward or takes past
        their limit (counts_toward_cap, exceeds_cap), and the asset freezes on a designated
        party (designated_party); each with whose states it obliges, whether it binds, the
        overlap of periods, the provisions and resolutions behind it with how both parties
        voted, and its reasons in words. Empty when none; a disproven transfer has none."""
        transfer = self.contravening_transfer()
        transfer.contraventions = transfer_contraventions(transfer, user=request.user)
        data = TransferContraventionsSerializer(transfer).data
        if request.accepted_renderer.format == "csv":
            return Response(finding_rows(data))
        data["being_recomputed"] = queued_count()
        return Response(data)


def finding_rows(data):
    """``?format=csv``: one row per finding, its nested parts flattened into columns."""
    rows = []
    for finding in data["contraventions"]:
        cap, designation = finding["cap"] or {}, finding["designation"] or {}
        rows.append(
            {
                "transfer": data["transfer"],
                "finding": finding["finding"],
                "regime": finding["regime"]["code"],
                "measure": finding["measure"]["code"],
                "kind": finding["measure"]["kind"],
                "targets": finding["targets"],
                "obliges": finding["obliged_countries"],
                "binding": finding["binding"],
                "overlap_start": finding["overlap"]["start"],
                "overlap_end": finding["overlap"]["end"],
                "status": finding["status"],
                "resolutions": [votes["symbol"] for votes in finding["resolutions"]],
                "supplier_positions": [votes["supplier_position"] or "" for votes in finding["resolutions"]],
                "recipient_positions": [votes["recipient_position"] or "" for votes in finding["resolutions"]],
                "cap_total_low": cap.get("total_low"),
                "cap_quantity": cap.get("quantity"),
                "cap_unit": cap.get("unit"),
                "designation": designation.get("reference"),
                "reasons": " ".join(finding["reasons"]),
            }
        )
    return rows


class ClaimViewSet(BaseViewSet):
    queryset = Claim.objects.all()
    serializer_class = ClaimSerializer
    filterset_class = ClaimFilterSet


class FindingViewSet(RequestScopedAnswers, viewsets.ReadOnlyModelViewSet):
    """The stored findings of every transfer you may read (docs/data-model.md, "Stored
    findings"), paged like every list, in CSV too (``?format=csv``). Filters: ``finding`` (a
    kind, or ``contravening``), ``measure``, ``regime``, ``resolution`` (through the measure's
    provisions), ``obliges`` (a country), ``transfer``, ``country``. The response header
    ``X-Findings-Being-Recomputed`` says how many transfers' findings are being recomputed."""

    queryset = Finding.objects.all()
    serializer_class = StoredFindingSerializer
    filterset_class = FindingFilterSet
    renderer_classes = [ORJSONRenderer, CSVRenderer]
    ordering_fields = ["id", "kind", "overlap_start"]
    ordering = ["id"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Finding.objects.none()
        user = self.request.user if self.request else None
        rows = Finding.objects.filter(audience__in=audience_of(user))
        if not sees_drafts(user):
            rows = rows.filter(published=True)
        return rows.select_related(
            "transfer__supplier", "transfer__recipient", "measure__regime", "designation"
        ).order_by("id")

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["X-Findings-Being-Recomputed"] = str(queued_count())
        return response
