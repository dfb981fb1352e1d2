"""The sitemap of the public pages (``django.contrib.sitemaps``): an index at
``/sitemap.xml`` and one sitemap per kind of page, each in pages of 50,000 addresses."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from apps.actors.models import Actor
from apps.explore.pages import public_transfers, resolution_slug
from apps.geo.models import Country
from apps.resolutions.models import Resolution
from apps.sanctions.models import Regime


class PagesSitemap(Sitemap):
    """The pages that are not a record's: home, network, search."""

    def items(self):
        return ["explore:home", "explore:network", "explore:transfer-list"]

    def location(self, item):
        return reverse(item)


class RecordSitemap(Sitemap):
    """A record's page for each record of ``queryset``, by ``url_name`` and ``key``."""

    queryset = None
    url_name = ""
    key = ""

    def items(self):
        return self.queryset().only("pk", self.key, "updated_at").order_by("pk")

    def location(self, item):
        return reverse(f"explore:{self.url_name}", args=[getattr(item, self.key)])

    def lastmod(self, item):
        return item.updated_at


class CountrySitemap(RecordSitemap):
    url_name, key = "country", "iso2"

    def queryset(self):
        return Country.objects.all()


class TransferSitemap(RecordSitemap):
    url_name, key = "transfer", "reference"

    def queryset(self):
        return public_transfers()


class RegimeSitemap(RecordSitemap):
    url_name, key = "regime", "code"

    def queryset(self):
        return Regime.objects.all()


class ActorSitemap(RecordSitemap):
    url_name, key = "actor", "slug"

    def queryset(self):
        return Actor.objects.all()


class ResolutionSitemap(Sitemap):
    def items(self):
        return Resolution.objects.only("pk", "symbol", "number", "outcome", "updated_at").order_by("pk")

    def location(self, item):
        return reverse("explore:resolution", args=[resolution_slug(item)])

    def lastmod(self, item):
        return item.updated_at


SITEMAPS = {
    "pages": PagesSitemap,
    "countries": CountrySitemap,
    "transfers": TransferSitemap,
    "resolutions": ResolutionSitemap,
    "regimes": RegimeSitemap,
    "actors": ActorSitemap,
}
