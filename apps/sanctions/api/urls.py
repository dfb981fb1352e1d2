from rest_framework.routers import SimpleRouter

from apps.sanctions.api.views import AuthorityViewSet, DesignationViewSet, MeasureViewSet, RegimeViewSet

router = SimpleRouter()
router.register("authorities", AuthorityViewSet, basename="authority")
router.register("regimes", RegimeViewSet, basename="regime")
router.register("measures", MeasureViewSet, basename="measure")
router.register("designations", DesignationViewSet, basename="designation")
urlpatterns = router.urls
