from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.common.api.views import BaseViewSet
from apps.common.selectors import country_profile
from apps.geo.api.serializers import CountryProfileSerializer, CountrySerializer
from apps.geo.filters import CountryFilterSet
from apps.geo.models import Country


class CountryViewSet(BaseViewSet):
    queryset = Country.objects.all()
    serializer_class = CountrySerializer
    filterset_class = CountryFilterSet

    @extend_schema(responses=CountryProfileSerializer, filters=False)
    @action(detail=True, pagination_class=None, filter_backends=[])
    def profile(self, request, *args, **kwargs):
        """Regimes targeting the country and imposed by its authorities, its votes and vetoes,
        its transfers in and out by category and status, its relationships, designations, and
        the resolutions it voted for that transfers it is party to are alleged to contravene."""
        profile = country_profile(self.get_object(), public_only=not self.sees_drafts())
        return Response(CountryProfileSerializer(profile).data)
