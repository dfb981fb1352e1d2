from rest_framework import serializers

from apps.common.api.serializers import BaseModelSerializer, api_fields
from apps.resolutions.choices import Position
from apps.transfers.models import Claim, Transfer


class TransferSerializer(BaseModelSerializer):
    class Meta(BaseModelSerializer.Meta):
        model = Transfer
        fields = api_fields(Transfer)
        lookup_field = "reference"


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
    supplier_position = serializers.ChoiceField(Position.choices, allow_null=True)
    recipient_position = serializers.ChoiceField(Position.choices, allow_null=True)


class ContraventionSerializer(serializers.Serializer):
    regime = ContraventionRegimeSerializer()
    measure = ContraventionMeasureSerializer()
    targets = serializers.ChoiceField(["supplier", "recipient"], help_text="The party the regime targets.")
    provisions = ContraventionProvisionSerializer(many=True)
    resolutions = ResolutionVotesSerializer(many=True)


class TransferContraventionsSerializer(serializers.Serializer):
    """The measures a transfer would break and how its parties voted (DESIGN.md)."""

    transfer = serializers.CharField(source="reference")
    supplier = serializers.CharField(source="supplier.iso2")
    recipient = serializers.CharField(source="recipient.iso2")
    category = serializers.CharField()
    started_on = serializers.DateField(allow_null=True)
    ended_on = serializers.DateField(allow_null=True)
    contraventions = ContraventionSerializer(many=True)
