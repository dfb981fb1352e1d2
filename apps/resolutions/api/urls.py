from rest_framework.routers import SimpleRouter

from apps.resolutions.api.views import ProvisionViewSet, ResolutionViewSet, VoteViewSet

router = SimpleRouter()
router.register("resolutions", ResolutionViewSet, basename="resolution")
router.register("votes", VoteViewSet, basename="vote")
router.register("provisions", ProvisionViewSet, basename="provision")
urlpatterns = router.urls
