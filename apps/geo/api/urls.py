from rest_framework.routers import SimpleRouter

from apps.geo.api.views import CountryViewSet

router = SimpleRouter()
router.register("countries", CountryViewSet, basename="country")
urlpatterns = router.urls
