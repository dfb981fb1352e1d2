"""The public pages' addresses: anyone reads published records here (docs/data-model.md, "Who
may see and do what")."""

from django.contrib.sitemaps import views as sitemaps
from django.urls import path, re_path

from apps.common.nul import KEY_SEGMENT
from apps.explore import views
from apps.explore.sitemaps import SITEMAPS

app_name = "explore"

urlpatterns = [
    path("", views.home, name="home"),
    # A record's key never holds a NUL (KEY_SEGMENT): such an address is a 404.
    re_path(rf"^countries/(?P<iso2>{KEY_SEGMENT})/$", views.country, name="country"),
    path("transfers/", views.transfer_list, name="transfer-list"),
    re_path(rf"^transfers/(?P<reference>{KEY_SEGMENT})/$", views.transfer, name="transfer"),
    re_path(rf"^resolutions/(?P<slug>{KEY_SEGMENT})/$", views.resolution, name="resolution"),
    re_path(rf"^regimes/(?P<code>{KEY_SEGMENT})/$", views.regime, name="regime"),
    re_path(rf"^actors/(?P<slug>{KEY_SEGMENT})/$", views.actor, name="actor"),
    path("network/", views.network, name="network"),
    path("embargoes/", views.embargo_list, name="embargoes"),
    path("search/", views.search, name="search"),
    path("robots.txt", views.robots, name="robots"),
    path(
        "sitemap.xml",
        views.public_page(sitemaps.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "explore:sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        views.public_page(sitemaps.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
]
