"""The pictures at the density of the whole world loaded: the network of 150 countries and a
permanent member's timeline over thirty years of votes and transfers stay legible (no label
drawn over another, a bounded number of marks); screenshots in test-artifacts/pages/."""

import datetime
import itertools

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.common.choices import ReviewStatus
from apps.geo.models import Country
from apps.resolutions.models import Resolution, Vote
from apps.transfers.models import Transfer
from tests.browser.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

FIRST_YEAR = 1995
YEARS = 30

# Pairs of boxes ({x, y, width, height}) that overlap, read in the browser.
OVERLAPS = """(selector) => {
    const boxes = [...document.querySelectorAll(selector)].map(e => e.getBoundingClientRect());
    const pairs = [];
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i], b = boxes[j];
        if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) pairs.push([i, j]);
    }
    return {count: boxes.length, overlapping: pairs.length};
}"""


def a_dense_world():
    """150 countries each supplying two others over thirty years, and Russia voting on thirty
    resolutions a year (a veto every six years) and trading every year."""
    now = timezone.now()
    countries = list(Country.objects.exclude(iso2="RU").order_by("iso2")[:149]) + [Country.objects.get(iso2="RU")]
    transfers = []
    for i, supplier in enumerate(countries):
        for step in (1, 7):
            recipient = countries[(i + step) % len(countries)]
            transfers.append((supplier, recipient, FIRST_YEAR + (i + step) % YEARS))
    russia = countries[-1]
    for year, partner in zip(range(FIRST_YEAR, FIRST_YEAR + YEARS), itertools.cycle(countries[:20]), strict=False):
        transfers += [(russia, partner, year)] * 4
    Transfer.objects.bulk_create(
        Transfer(
            reference=f"dense-{n}",
            supplier=supplier,
            recipient=recipient,
            category="heavy_weapons",
            started_on=datetime.date(year, 3, 1),
            ended_on=datetime.date(year, 9, 1),
            date_precision="year",
            status="confirmed",
            review_status=ReviewStatus.PUBLISHED,
            created_at=now,
            updated_at=now,
        )
        for n, (supplier, recipient, year) in enumerate(transfers)
    )
    resolutions = Resolution.objects.bulk_create(
        Resolution(
            symbol=f"S/RES/{5000 + n} ({FIRST_YEAR + n // 30})" if n % 180 else f"S/{FIRST_YEAR + n // 30}/{n}",
            number=5000 + n if n % 180 else None,
            voted_on=datetime.date(FIRST_YEAR + n // 30, 1 + n % 30 // 3, 1 + n % 3 * 9),
            outcome="adopted" if n % 180 else "vetoed",
            title=f"Resolution {n}",
            created_at=now,
            updated_at=now,
        )
        for n in range(YEARS * 30)
    )
    Vote.objects.bulk_create(
        Vote(
            resolution=resolution,
            country=russia,
            position="no" if resolution.outcome == "vetoed" else "yes",
            created_at=now,
            updated_at=now,
        )
        for resolution in resolutions
    )
    call_command("tallies", "--rebuild", verbosity=0)


def test_the_network_of_150_countries_and_a_30_year_timeline_stay_legible(new_page):
    a_dense_world()
    (ARTIFACTS / "pages").mkdir(parents=True, exist_ok=True)
    page = new_page()

    page.goto("/network/")
    svg = page.locator("#network")
    assert int(svg.get_attribute("data-nodes")) <= 48
    assert int(svg.get_attribute("data-edges")) <= 150
    assert page.locator("#network .node[data-id='others'] text").text_content().startswith("+")
    labels = page.evaluate(OVERLAPS, "#network .node text")
    assert labels["count"] == int(svg.get_attribute("data-nodes"))
    assert labels["overlapping"] == 0, labels
    # The table still lists the links between the countries themselves.
    assert page.locator("table.edges-table tbody tr").count() == 60
    page.screenshot(path=str(ARTIFACTS / "pages" / "density-network.png"), full_page=True)

    page.goto("/countries/RU/")
    timeline = page.locator("#timeline figure.timeline svg")
    marks = timeline.locator("g.mark-votes")
    # 900 votes: a mark a year and one per veto, not 900 points on one line.
    assert marks.count() == YEARS + 5
    assert timeline.locator("g.kind-veto").count() == 5
    assert timeline.bounding_box()["height"] < 700
    years = page.evaluate(OVERLAPS, "#timeline svg text.year")
    assert years["count"] >= 10 and years["overlapping"] == 0, years
    earlier = timeline.locator("g.kind-transfers-year")
    assert earlier.count() > 0
    assert "earlier transfers in" in earlier.first.locator("title").text_content()
    page.locator("#timeline").screenshot(path=str(ARTIFACTS / "pages" / "density-timeline.png"))
