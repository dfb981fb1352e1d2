from rest_framework.routers import SimpleRouter

from apps.transfers.api.views import ClaimViewSet, TransferViewSet

router = SimpleRouter()
router.register("transfers", TransferViewSet, basename="transfer")
router.register("claims", ClaimViewSet, basename="claim")
urlpatterns = router.urls
