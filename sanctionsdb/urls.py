"""Top-level URLs: the editors' admin, the API and the public pages."""

from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from apps.ingest.views import upload_view

urlpatterns = [
    # Before the admin's own URLs, which would otherwise take admin/ingest/.
    path("admin/ingest/upload/", upload_view, name="ingest-upload"),
    path("admin/", admin.site.urls),
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
]
