from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.transfers.api.views import ClaimViewSet, FindingViewSet, TransferViewSet

router = SimpleRouter()
router.register("transfers", TransferViewSet, basename="transfer")
router.register("claims", ClaimViewSet, basename="claim")
# Derived data, read only: the stored findings (not a resource one creates or changes).
urlpatterns = [*router.urls, path("findings/", FindingViewSet.as_view({"get": "list"}), name="findings")]
