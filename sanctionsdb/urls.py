"""Top-level URLs: the editors' admin, the API and the public pages."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.common.api.views import APIRootView, ChangesView
from apps.ingest.views import upload_view

api_v1 = [
    path("", APIRootView.as_view(), name="root"),
    path("", include("apps.geo.api.urls")),
    path("", include("apps.actors.api.urls")),
    path("", include("apps.evidence.api.urls")),
    path("", include("apps.resolutions.api.urls")),
    path("", include("apps.sanctions.api.urls")),
    path("", include("apps.transfers.api.urls")),
    path("", include("apps.relations.api.urls")),
    path("", include("apps.explore.api.urls")),
    path("changes/", ChangesView.as_view(), name="changes"),
]

urlpatterns = [
    # Before the admin's own URLs, which would otherwise take admin/ingest/.
    path("admin/ingest/upload/", upload_view, name="ingest-upload"),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
]
