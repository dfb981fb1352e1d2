from rest_framework.routers import SimpleRouter

from apps.relations.api.views import EventViewSet, RelationshipViewSet, StatementViewSet

router = SimpleRouter()
router.register("relationships", RelationshipViewSet, basename="relationship")
router.register("events", EventViewSet, basename="event")
router.register("statements", StatementViewSet, basename="statement")
urlpatterns = router.urls
