from apps.actors.api.serializers import ActorSerializer
from apps.actors.filters import ActorFilterSet
from apps.actors.models import Actor
from apps.common.api.views import BaseViewSet


class ActorViewSet(BaseViewSet):
    queryset = Actor.objects.all()
    serializer_class = ActorSerializer
    filterset_class = ActorFilterSet
