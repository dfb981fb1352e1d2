from apps.common.api.serializers import BaseModelSerializer, api_fields
from apps.evidence.models import Source


class SourceSerializer(BaseModelSerializer):
    class Meta(BaseModelSerializer.Meta):
        model = Source
        fields = api_fields(Source)
