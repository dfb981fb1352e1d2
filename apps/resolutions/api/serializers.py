from apps.common.api.serializers import BaseModelSerializer, api_fields
from apps.resolutions.models import Provision, Resolution, Vote


class ResolutionSerializer(BaseModelSerializer):
    class Meta(BaseModelSerializer.Meta):
        model = Resolution
        fields = api_fields(Resolution)


class VoteSerializer(BaseModelSerializer):
    class Meta(BaseModelSerializer.Meta):
        model = Vote
        fields = api_fields(Vote)


class ProvisionSerializer(BaseModelSerializer):
    class Meta(BaseModelSerializer.Meta):
        model = Provision
        fields = api_fields(Provision)
