"""The sitemap of the public pages (``django.contrib.sitemaps``): an index at
``/sitemap.xml`` and one sitemap per kind of page, each in pages of ``PER_PAGE`` addresses.
At a million transfers the index reads each kind's count and latest change from indexes; it
never walks the records."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from apps.actors.models import Actor
from apps.explore.pages import PUBLIC, resolution_slug
from apps.geo.models import Country
from apps.resolutions.models import Resolution
from apps.sanctions.models import Regime
from apps.transfers.models import Transfer


class PagesSitemap(Sitemap):
    """The pages that are not a record's: home, network, search."""

    def items(self):
        return ["explore:home", "explore:network", "explore:transfer-list"]

    def location(self, item):
        return reverse(item)


# Addresses per sitemap page (the protocol allows 50,000; a smaller page answers faster).
PER_PAGE = 1000


class RecordSitemap(Sitemap):
    """A record's page for each record of ``model`` anyone may read, by ``url_name`` and ``key``."""

    limit = PER_PAGE
    model = None
    url_name = ""
    key = ""

    def queryset(self):
        return self.model.objects.visible_to(PUBLIC)

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
    model, url_name, key = Country, "country", "iso2"


class TransferSitemap(RecordSitemap):
    model, url_name, key = Transfer, "transfer", "reference"


class RegimeSitemap(RecordSitemap):
    model, url_name, key = Regime, "regime", "code"


class ActorSitemap(RecordSitemap):
    model, url_name, key = Actor, "actor", "slug"


class ResolutionSitemap(RecordSitemap):
    """Resolutions by number, drafts by symbol (``resolution_slug``)."""

    model = Resolution

    def items(self):
        return self.queryset().only("pk", "symbol", "number", "outcome", "updated_at").order_by("pk")

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
