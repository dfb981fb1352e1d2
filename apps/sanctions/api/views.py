from apps.common.api.views import BaseViewSet
from apps.sanctions.api.serializers import (
    AuthoritySerializer,
    DesignationSerializer,
    MeasureSerializer,
    RegimeSerializer,
)
from apps.sanctions.filters import AuthorityFilterSet, DesignationFilterSet, MeasureFilterSet, RegimeFilterSet
from apps.sanctions.models import Authority, Designation, Measure, Regime


class AuthorityViewSet(BaseViewSet):
    queryset = Authority.objects.all()
    serializer_class = AuthoritySerializer
    filterset_class = AuthorityFilterSet


class RegimeViewSet(BaseViewSet):
    queryset = Regime.objects.all()
    serializer_class = RegimeSerializer
    filterset_class = RegimeFilterSet


class MeasureViewSet(BaseViewSet):
    queryset = Measure.objects.all()
    serializer_class = MeasureSerializer
    filterset_class = MeasureFilterSet


class DesignationViewSet(BaseViewSet):
    queryset = Designation.objects.all()
    serializer_class = DesignationSerializer
    filterset_class = DesignationFilterSet
