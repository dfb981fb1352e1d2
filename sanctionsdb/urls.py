"""Top-level URLs: the editors' admin, the API and the public pages."""

import base64
import hashlib
import re

from csp.decorators import csp_update
from django.contrib import admin
from django.http import JsonResponse
from django.template.loader import get_template
from django.urls import include, path
from django.views.defaults import page_not_found
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

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


def inline_style_hashes(template_name):
    """CSP sources (``'sha256-…'``) for the inline ``<style>`` blocks of a template, so that
    the Content-Security-Policy allows exactly those and no other inline style."""
    source = get_template(template_name).template.source
    return [
        f"'sha256-{base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()}'"
        for style in re.findall(r"<style>(.*?)</style>", source, flags=re.DOTALL)
    ]


# Swagger UI from drf-spectacular-sidecar: the split view serves its start-up script as a
# file of its own (no inline script), and the page's one inline style is allowed by its hash.
api_docs_view = csp_update({"style-src": inline_style_hashes("drf_spectacular/swagger_ui.html")})(
    SpectacularSwaggerSplitView.as_view(url_name="schema")
)

# The editors' admin, titled for the project (its home lists the waiting work:
# templates/admin/index.html).
admin.site.site_header = "sanctionsdb editors"
admin.site.site_title = "sanctionsdb"
admin.site.index_title = "Editors' home"

urlpatterns = [
    # Before the admin's own URLs, which would otherwise take admin/ingest/.
    path("admin/ingest/upload/", upload_view, name="ingest-upload"),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"))),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", api_docs_view, name="api-docs"),
    path("", include("apps.explore.urls")),
]


def not_found(request, exception):
    """A URL under api/ that matches no route (a detail URL whose id is not a number, say)
    answers as the API's own 404s do, in JSON; the rest of the site keeps Django's page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)


handler404 = not_found
