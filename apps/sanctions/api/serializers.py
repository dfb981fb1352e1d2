from rest_framework import serializers

from apps.common.api.serializers import BaseModelSerializer, api_fields
from apps.sanctions.choices import TransferCategory
from apps.sanctions.models import Authority, Designation, Measure, Regime


class AuthoritySerializer(BaseModelSerializer):
    class Meta(BaseModelSerializer.Meta):
        model = Authority
        fields = api_fields(Authority)
        lookup_field = "code"


class RegimeSerializer(BaseModelSerializer):
    class Meta(BaseModelSerializer.Meta):
        model = Regime
        fields = api_fields(Regime)
        lookup_field = "code"


class MeasureSerializer(BaseModelSerializer):
    covers = serializers.ListField(child=serializers.ChoiceField(TransferCategory.choices), required=False)

    class Meta(BaseModelSerializer.Meta):
        model = Measure
        fields = api_fields(Measure)


class DesignationSerializer(BaseModelSerializer):
    class Meta(BaseModelSerializer.Meta):
        model = Designation
        fields = api_fields(Designation)
