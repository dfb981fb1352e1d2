from apps.common.api.views import BaseViewSet
from apps.relations.api.serializers import EventSerializer, RelationshipSerializer, StatementSerializer
from apps.relations.filters import EventFilterSet, RelationshipFilterSet, StatementFilterSet
from apps.relations.models import Event, Relationship, Statement


class RelationshipViewSet(BaseViewSet):
    queryset = Relationship.objects.all()
    serializer_class = RelationshipSerializer
    filterset_class = RelationshipFilterSet


class EventViewSet(BaseViewSet):
    queryset = Event.objects.all()
    serializer_class = EventSerializer
    filterset_class = EventFilterSet


class StatementViewSet(BaseViewSet):
    queryset = Statement.objects.all()
    serializer_class = StatementSerializer
    filterset_class = StatementFilterSet
