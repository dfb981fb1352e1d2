from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.common.api.views import BaseViewSet
from apps.transfers.api.serializers import ClaimSerializer, TransferContraventionsSerializer, TransferSerializer
from apps.transfers.filters import ClaimFilterSet, TransferFilterSet
from apps.transfers.models import Claim, Transfer
from apps.transfers.services import transfer_contraventions


class TransferViewSet(BaseViewSet):
    queryset = Transfer.objects.all()
    serializer_class = TransferSerializer
    filterset_class = TransferFilterSet

    @extend_schema(responses=TransferContraventionsSerializer, parameters=[], filters=False)
    @action(detail=True, pagination_class=None, filter_backends=[])
    def contraventions(self, request, *args, **kwargs):
        """The measures this transfer would break: in force during its period, covering its
        category, targeting its supplier's exports or its recipient's imports; with the
        provisions and resolutions behind each and how both parties voted. Empty when none."""
        transfer = self.get_object()
        transfer.contraventions = transfer_contraventions(transfer)
        return Response(TransferContraventionsSerializer(transfer).data)


class ClaimViewSet(BaseViewSet):
    queryset = Claim.objects.all()
    serializer_class = ClaimSerializer
    filterset_class = ClaimFilterSet
