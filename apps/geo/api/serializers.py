from rest_framework import serializers

from apps.common.api.serializers import BaseModelSerializer, api_fields
from apps.geo.models import Country


class CountrySerializer(BaseModelSerializer):
    aliases = serializers.ListField(child=serializers.CharField(), required=False)

    class Meta(BaseModelSerializer.Meta):
        model = Country
        fields = api_fields(Country)
        lookup_field = "iso2"
