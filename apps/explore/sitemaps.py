"""The sitemap of the public pages (``django.contrib.sitemaps``): an index at
``/sitemap.xml`` and one sitemap per kind of page, each in pages of ``PER_PAGE`` addresses.
At a million transfers the index reads each kind's count and latest change from indexes; it
never walks the records."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
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


# Addresses per sitemap page (the protocol allows 50,000; a smaller page answers faster).
PER_PAGE = 1000


class RecordSitemap(Sitemap):
    """A record's page for each record of ``queryset``, by ``url_name`` and ``key``."""

    limit = PER_PAGE
    url_name = ""
    key = ""

    def queryset(self):
        raise NotImplementedError

    def items(self):
        return self.queryset().only("pk", self.key, "updated_at").order_by("pk")

    def get_latest_lastmod(self):
        # Django's default computes lastmod() of every item: a million rows for the index.
        return self.queryset().aggregate(latest=Max("updated_at"))["latest"]

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


class ResolutionSitemap(RecordSitemap):
    def queryset(self):
        return Resolution.objects.all()

    def items(self):
        return Resolution.objects.only("pk", "symbol", "number", "outcome", "updated_at").order_by("pk")

    def location(self, item):
        return reverse("explore:resolution", args=[resolution_slug(item)])


SITEMAPS = {
    "pages": PagesSitemap,
    "countries": CountrySitemap,
    "transfers": TransferSitemap,
    "resolutions": ResolutionSitemap,
    "regimes": RegimeSitemap,
    "actors": ActorSitemap,
}
