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
        """The findings of this transfer (DESIGN.md): the measures it would break (breach,
        possible_breach), the trade caps it counts toward or takes past their limit
        (counts_toward_cap, exceeds_cap), and the asset freezes on a designated party
        (designated_party); each with whose states it obliges, whether it binds, the overlap
        of periods, the provisions and resolutions behind it with how both parties voted,
        and its reasons in words. Empty when none; a disproven transfer has none."""
        transfer = self.get_object()
        transfer.contraventions = transfer_contraventions(transfer, user=request.user)
        return Response(TransferContraventionsSerializer(transfer).data)


class ClaimViewSet(BaseViewSet):
    queryset = Claim.objects.all()
    serializer_class = ClaimSerializer
    filterset_class = ClaimFilterSet
