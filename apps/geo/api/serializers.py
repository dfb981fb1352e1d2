from rest_framework import serializers

from apps.common.api.serializers import BaseModelSerializer, api_fields
from apps.geo.models import Country


class CountrySerializer(BaseModelSerializer):
    aliases = serializers.ListField(child=serializers.CharField(), required=False)

    class Meta(BaseModelSerializer.Meta):
        model = Country
        fields = api_fields(Country)
        lookup_field = "iso2"


class RegimeSummarySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    authority = serializers.CharField()
    target_country = serializers.CharField(allow_null=True)
    started_on = serializers.DateField(allow_null=True)
    ended_on = serializers.DateField(allow_null=True)


class CountryVoteSerializer(serializers.Serializer):
    resolution = serializers.CharField()
    voted_on = serializers.DateField(allow_null=True)
    outcome = serializers.CharField()
    position = serializers.CharField()
    veto = serializers.BooleanField()


class FlowCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_category = serializers.DictField(child=serializers.IntegerField())
    by_status = serializers.DictField(child=serializers.IntegerField())


class CountryRelationshipSerializer(serializers.Serializer):
    reference = serializers.CharField()
    kind = serializers.CharField()
    title = serializers.CharField()
    started_on = serializers.DateField(allow_null=True)
    ended_on = serializers.DateField(allow_null=True)

    def get_fields(self):
        # ``with`` (the other country) is a Python keyword, so it is added here.
        return {**super().get_fields(), "with": serializers.CharField(help_text="The other country.")}


class ContravenedResolutionSerializer(serializers.Serializer):
    resolution = serializers.CharField()
    voted_on = serializers.DateField(allow_null=True)
    transfers = serializers.ListField(child=serializers.CharField())
    measures = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField()), help_text="[regime code, measure code] pairs"
    )


class CountryProfileSerializer(serializers.Serializer):
    """What the database says about one country: the mirror of the contraventions view."""

    country = serializers.CharField()
    name = serializers.CharField()
    sc_permanent_member = serializers.BooleanField()
    regimes_targeting = RegimeSummarySerializer(many=True)
    regimes_imposed = RegimeSummarySerializer(many=True)
    votes = CountryVoteSerializer(many=True)
    vetoes = serializers.ListField(child=serializers.CharField())
    transfers_out = FlowCountsSerializer()
    transfers_in = FlowCountsSerializer()
    relationships = CountryRelationshipSerializer(many=True)
    designations_count = serializers.IntegerField(help_text="Designations of actors of this country.")
    designations_under_regimes_targeting_count = serializers.IntegerField()
    contravened_resolutions_voted_for = ContravenedResolutionSerializer(many=True)
