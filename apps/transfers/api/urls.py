from rest_framework.routers import SimpleRouter

from apps.transfers.api.views import ClaimViewSet, FindingViewSet, TransferViewSet

router = SimpleRouter()
router.register("transfers", TransferViewSet, basename="transfer")
router.register("claims", ClaimViewSet, basename="claim")
router.register("findings", FindingViewSet, basename="finding")
urlpatterns = router.urls
