from django.urls import path, re_path

from apps.explore.api.views import CountryProfileView, GraphView

urlpatterns = [
    re_path(r"^countries/(?P<iso2>[^/]+)/profile/$", CountryProfileView.as_view(), name="country-profile"),
    path("graph/", GraphView.as_view(), name="graph"),
]
