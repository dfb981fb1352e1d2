from rest_framework.routers import SimpleRouter

from apps.evidence.api.views import SourceViewSet

router = SimpleRouter()
router.register("sources", SourceViewSet, basename="source")
urlpatterns = router.urls
