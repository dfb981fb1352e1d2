from apps.common.api.views import BaseViewSet
from apps.evidence.api.serializers import SourceSerializer
from apps.evidence.filters import SourceFilterSet
from apps.evidence.models import Source


class SourceViewSet(BaseViewSet):
    queryset = Source.objects.all()
    serializer_class = SourceSerializer
    filterset_class = SourceFilterSet
