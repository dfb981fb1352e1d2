from rest_framework import serializers

from apps.common.api.serializers import BaseModelSerializer, api_fields
from apps.resolutions.choices import Position
from apps.transfers.models import Claim, Transfer
from apps.transfers.services import FINDINGS


class TransferSerializer(BaseModelSerializer):
    class Meta(BaseModelSerializer.Meta):
        model = Transfer
        fields = api_fields(Transfer)
        lookup_field = "reference"

    def validate_vessels(self, vessels):
        others = [actor.slug for actor in vessels if actor.kind != "vessel"]
        if others:
            raise serializers.ValidationError(f"not vessels: {', '.join(others)} (only a ship carries a transfer)")
        return vessels


class ClaimSerializer(BaseModelSerializer):
    class Meta(BaseModelSerializer.Meta):
        model = Claim
        fields = api_fields(Claim)
        lookup_field = "reference"


class ContraventionRegimeSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    authority = serializers.CharField(source="authority.code")


class ContraventionMeasureSerializer(serializers.Serializer):
    code = serializers.CharField()
    kind = serializers.CharField()
    direction = serializers.CharField()
    covers = serializers.ListField(child=serializers.CharField())
    obliges = serializers.ListField(
        child=serializers.CharField(), source="obliged_sides", help_text="As given, or the default for its direction."
    )
    cap_quantity = serializers.DecimalField(max_digits=20, decimal_places=3, allow_null=True)
    cap_unit = serializers.CharField()
    cap_period = serializers.CharField()
    started_on = serializers.DateField(allow_null=True)
    ended_on = serializers.DateField(allow_null=True)


class ContraventionProvisionSerializer(serializers.Serializer):
    resolution = serializers.CharField(source="resolution.symbol")
    paragraph = serializers.CharField()
    summary = serializers.CharField()


class ResolutionVotesSerializer(serializers.Serializer):
    symbol = serializers.CharField(source="resolution.symbol")
    voted_on = serializers.DateField(source="resolution.voted_on", allow_null=True)
    outcome = serializers.CharField(source="resolution.outcome")
    chapter_vii = serializers.BooleanField(source="resolution.chapter_vii")
    supplier_position = serializers.ChoiceField(Position.choices, allow_null=True)
    recipient_position = serializers.ChoiceField(Position.choices, allow_null=True)


class PeriodSerializer(serializers.Serializer):
    start = serializers.DateField(allow_null=True, help_text="Null: unbounded.")
    end = serializers.DateField(allow_null=True, help_text="Null: unbounded.")


class CapCountSerializer(serializers.Serializer):
    period = PeriodSerializer(help_text="The cap period counted (within the measure's period).")
    quantity = serializers.DecimalField(max_digits=20, decimal_places=3)
    unit = serializers.CharField()
    total_low = serializers.DecimalField(max_digits=24, decimal_places=3)
    total_high = serializers.DecimalField(max_digits=24, decimal_places=3)
    remaining = serializers.DecimalField(
        max_digits=24, decimal_places=3, help_text="Cap minus the low total; negative when exceeded."
    )
    counted = serializers.IntegerField(help_text="Transfers counted in the cap's unit.")
    open_high = serializers.IntegerField(
        help_text="Of those, transfers given only as a lower bound: the total is then at least total_low."
    )
    uncounted = serializers.IntegerField(help_text="Transfers in another unit, without a quantity, or less specific.")


class DesignationBriefSerializer(serializers.Serializer):
    regime = serializers.CharField(source="regime.code")
    reference = serializers.CharField()
    actor = serializers.CharField(source="actor.slug")
    listed_on = serializers.DateField(allow_null=True)
    delisted_on = serializers.DateField(allow_null=True)


class ContraventionSerializer(serializers.Serializer):
    finding = serializers.ChoiceField(
        FINDINGS,
        help_text="breach, possible_breach (the transfer is less specific than the measure), exceeds_cap, "
        "counts_toward_cap (a trade cap: the cap period's total is below the cap), designated_party.",
    )
    regime = ContraventionRegimeSerializer()
    measure = ContraventionMeasureSerializer()
    targets = serializers.ChoiceField(
        ["supplier", "recipient"],
        help_text="The party the regime targets (for designated_party: the side of the designated actor).",
    )
    obliges = serializers.ListField(
        child=serializers.CharField(), help_text="The sides whose state it obliges and binds."
    )
    obliged_countries = serializers.ListField(
        child=serializers.CharField(), source="obliged_iso2", help_text="ISO alpha-2 of the obliged states."
    )
    binding = serializers.BooleanField(help_text="False when it rests only on resolutions not under Chapter VII.")
    overlap = PeriodSerializer(help_text="When the transfer and the measure in force meet.")
    status = serializers.CharField(help_text="The transfer's status.")
    provisions = ContraventionProvisionSerializer(many=True)
    resolutions = ResolutionVotesSerializer(many=True)
    cap = CapCountSerializer(allow_null=True)
    designation = DesignationBriefSerializer(allow_null=True)
    reasons = serializers.ListField(child=serializers.CharField(), help_text="Why it applies, in words.")


class TransferContraventionsSerializer(serializers.Serializer):
    """The findings of a transfer: the measures it would break or the caps it counts toward,
    and how its parties voted (docs/data-model.md, "The findings")."""

    transfer = serializers.CharField(source="reference")
    supplier = serializers.CharField(source="supplier.iso2")
    recipient = serializers.CharField(source="recipient.iso2")
    category = serializers.CharField()
    started_on = serializers.DateField(allow_null=True)
    ended_on = serializers.DateField(allow_null=True)
    date_precision = serializers.CharField()
    status = serializers.CharField()
    contraventions = ContraventionSerializer(many=True)


class StoredFindingSerializer(serializers.Serializer):
    """One stored finding (``/api/v1/findings/``): the transfer, the measure, the kind, whose
    states it obliges, whether it binds, the overlap, the cap arithmetic where there is one, the
    reasons in words and the version of the rules that wrote it."""

    transfer = serializers.CharField(source="transfer.reference")
    supplier = serializers.CharField(source="transfer.supplier.iso2")
    recipient = serializers.CharField(source="transfer.recipient.iso2")
    category = serializers.CharField(source="transfer.category")
    finding = serializers.CharField(source="kind")
    regime = serializers.CharField(source="measure.regime.code")
    measure = serializers.CharField(source="measure.code")
    measure_kind = serializers.CharField(source="measure.kind")
    targets = serializers.CharField()
    obliges = serializers.ListField(child=serializers.CharField())
    obliged_countries = serializers.SerializerMethodField()
    binding = serializers.BooleanField()
    overlap_start = serializers.DateField(allow_null=True)
    overlap_end = serializers.SerializerMethodField(help_text="Today's date when the overlap runs on to today.")
    status = serializers.CharField()
    designation = serializers.CharField(source="designation.reference", allow_null=True, default=None)
    cap_period_start = serializers.DateField(allow_null=True)
    cap_period_end = serializers.DateField(allow_null=True)
    cap_quantity = serializers.DecimalField(max_digits=20, decimal_places=3, allow_null=True)
    cap_unit = serializers.CharField()
    cap_total_low = serializers.DecimalField(max_digits=24, decimal_places=3, allow_null=True)
    cap_total_high = serializers.DecimalField(max_digits=24, decimal_places=3, allow_null=True)
    reasons = serializers.ListField(child=serializers.CharField())
    rules_version = serializers.IntegerField()

    def get_obliged_countries(self, row) -> list[str]:
        sides = {"supplier": row.transfer.supplier.iso2, "recipient": row.transfer.recipient.iso2}
        return [sides[side] for side in row.obliges]

    def get_overlap_end(self, row) -> str | None:
        from django.utils import timezone

        end = timezone.localdate() if row.to_today else row.overlap_end
        return end.isoformat() if end else None
