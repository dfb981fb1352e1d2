from apps.common.api.views import BaseViewSet
from apps.geo.api.serializers import CountrySerializer
from apps.geo.filters import CountryFilterSet
from apps.geo.models import Country


class CountryViewSet(BaseViewSet):
    queryset = Country.objects.all()
    serializer_class = CountrySerializer
    filterset_class = CountryFilterSet
