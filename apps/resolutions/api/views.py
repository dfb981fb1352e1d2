from apps.common.api.views import BaseViewSet
from apps.resolutions.api.serializers import ProvisionSerializer, ResolutionSerializer, VoteSerializer
from apps.resolutions.filters import ProvisionFilterSet, ResolutionFilterSet, VoteFilterSet
from apps.resolutions.models import Provision, Resolution, Vote


class ResolutionViewSet(BaseViewSet):
    queryset = Resolution.objects.all()
    serializer_class = ResolutionSerializer
    filterset_class = ResolutionFilterSet


class VoteViewSet(BaseViewSet):
    queryset = Vote.objects.all()
    serializer_class = VoteSerializer
    filterset_class = VoteFilterSet


class ProvisionViewSet(BaseViewSet):
    queryset = Provision.objects.all()
    serializer_class = ProvisionSerializer
    filterset_class = ProvisionFilterSet
