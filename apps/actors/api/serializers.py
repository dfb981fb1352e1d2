from rest_framework import serializers

from apps.actors.models import Actor
from apps.common.api.serializers import BaseModelSerializer, api_fields


class ActorSerializer(BaseModelSerializer):
    aliases = serializers.ListField(child=serializers.CharField(), required=False)
    identifiers = serializers.DictField(required=False)

    class Meta(BaseModelSerializer.Meta):
        model = Actor
        fields = api_fields(Actor)
        lookup_field = "slug"
