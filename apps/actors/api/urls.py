from rest_framework.routers import SimpleRouter

from apps.actors.api.views import ActorViewSet

router = SimpleRouter()
router.register("actors", ActorViewSet, basename="actor")
urlpatterns = router.urls
