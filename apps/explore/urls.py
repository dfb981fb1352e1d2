"""The public pages' addresses (DESIGN.md: anyone reads published records here)."""

from django.contrib.sitemaps import views as sitemaps
from django.urls import path, re_path

from apps.explore import views
from apps.explore.sitemaps import SITEMAPS

app_name = "explore"

urlpatterns = [
    path("", views.home, name="home"),
    path("countries/<str:iso2>/", views.country, name="country"),
    path("transfers/", views.transfer_list, name="transfer-list"),
    re_path(r"^transfers/(?P<reference>[^/]+)/$", views.transfer, name="transfer"),
    re_path(r"^resolutions/(?P<slug>[^/]+)/$", views.resolution, name="resolution"),
    re_path(r"^regimes/(?P<code>[^/]+)/$", views.regime, name="regime"),
    re_path(r"^actors/(?P<slug>[^/]+)/$", views.actor, name="actor"),
    path("network/", views.network, name="network"),
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
