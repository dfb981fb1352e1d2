from apps.common.api.serializers import BaseModelSerializer, api_fields
from apps.relations.models import Event, Relationship, Statement


class RelationshipSerializer(BaseModelSerializer):
    class Meta(BaseModelSerializer.Meta):
        model = Relationship
        fields = api_fields(Relationship)
        lookup_field = "reference"


class EventSerializer(BaseModelSerializer):
    class Meta(BaseModelSerializer.Meta):
        model = Event
        fields = api_fields(Event)
        lookup_field = "reference"


class StatementSerializer(BaseModelSerializer):
    class Meta(BaseModelSerializer.Meta):
        model = Statement
        fields = api_fields(Statement)
        lookup_field = "reference"
