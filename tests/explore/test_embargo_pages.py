"""The arms embargo pages: a regime's page shows its embargo phases, the arms deliveries into
(or out of) its target while a phase was in force by country and year, each country's vote on
the resolutions that began the phases, and the findings; /embargoes/ lists every embargo."""

import datetime
import re

import pytest
from django.core.cache import cache

from apps.common.choices import ReviewStatus
from apps.transfers.models import Transfer
from tests import factories as f

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def somalia():
    """An arms embargo on Somalia from 23 January 1992 (resolution 733, which Russia and China
    voted for), deliveries into it from Russia, China and Yemen, and deliveries that do not
    count: before it, not arms, a draft, and the whole of a deal whose parts count."""
    cache.clear()
    regime = f.RegimeFactory(code="UN-733", name="Somalia", target_country=f.country("SO"), started_on=D(1992, 1, 23))
    resolution = f.ResolutionFactory(number=733, symbol="S/RES/733 (1992)", voted_on=D(1992, 1, 23))
    f.VoteFactory(resolution=resolution, country=f.country("RU"), position="yes")
    f.VoteFactory(resolution=resolution, country=f.country("CN"), position="yes")
    measure = f.MeasureFactory(
        regime=regime,
        code="arms-embargo",
        direction="imports_to_target",
        covers=["arms"],
        started_on=D(1992, 1, 23),
    )
    measure.provisions.add(f.ProvisionFactory(resolution=resolution, paragraph="5"))

    def delivery(reference, supplier, day, **fields):
        fields.setdefault("category", "small_arms")
        fields.setdefault("review_status", ReviewStatus.PUBLISHED)
        return f.TransferFactory(
            reference=reference,
            supplier=f.country(supplier),
            recipient=f.country("SO"),
            started_on=day,
            ended_on=fields.pop("ended_on", day),
            **fields,
        )

    deal = delivery(
        "sipri-1", "RU", D(1999, 1, 1), category="heavy_weapons", value_low=30, value_unit="SIPRI TIV (millions)"
    )
    for year, tiv in ((1999, 10), (2001, 20)):
        delivery(
            f"sipri-1-{year}",
            "RU",
            D(year, 1, 1),
            category="heavy_weapons",
            part_of=deal,
            value_low=tiv,
            value_unit="SIPRI TIV (millions)",
        )
    delivery("cn-rifles-2005", "CN", D(2005, 6, 1))
    delivery("ye-munitions-2008", "YE", D(2008, 3, 1), category="munitions")
    delivery("ru-before-1990", "RU", D(1990, 5, 1))
    delivery("ru-fuel-2000", "RU", D(2000, 5, 1), category="refined_petroleum")
    delivery("cn-draft-2006", "CN", D(2006, 1, 1), review_status=ReviewStatus.DRAFT)
    return regime


def test_a_regime_page_shows_its_embargo_deliveries_votes_and_findings(client, somalia):
    html = client.get("/regimes/UN-733/").content.decode()
    section = html[html.index('<section id="embargo">') :]
    section = section[: section.index("</section>")]
    assert "4 recorded deliveries of arms into or out of Somalia" in section
    rows = re.findall(r'<tr><th scope="row"><a href="/countries/(\w\w)/">.*?</tr>', section, re.S)
    assert rows == ["RU", "CN", "YE"]  # most deliveries first
    russia = re.search(r'/countries/RU/">.*?</tr>', section, re.S).group(0)
    assert "<td>2</td><td>30</td>" in russia  # the deal's two delivery years, not the deal itself
    assert "<td>Yes</td>" in russia
    yemen = re.search(r'/countries/YE/">.*?</tr>', section, re.S).group(0)
    assert "not a member" in yemen
    # The picture: a row per country, a column per year from 1999 to 2008, a legend.
    assert section.count('class="grid-label"') == 3
    assert section.count('class="cell shade-') == 3 * 10
    assert "Russian Federation (into), 2001: 1 delivery" in section
    assert "10 or more" in section
    # The findings the rules gave the deliveries.
    assert "Breach: 4 transfers" in section
    breached = set(
        Transfer.objects.filter(findings__measure__regime=somalia, findings__kind="breach").values_list(
            "reference", flat=True
        )
    )
    # The deal has its finding too, but the page counts its delivery years; the draft is not counted.
    assert breached == {
        "sipri-1",
        "sipri-1-1999",
        "sipri-1-2001",
        "cn-rifles-2005",
        "ye-munitions-2008",
        "cn-draft-2006",
    }


def test_a_regime_without_an_arms_embargo_has_no_embargo_section(client):
    f.RegimeFactory(code="UN-1", name="Travel bans only")
    assert 'id="embargo"' not in client.get("/regimes/UN-1/").content.decode()


def test_the_embargo_list_names_each_embargo_with_its_deliveries_and_contraventions(client, somalia):
    f.MeasureFactory(regime=f.RegimeFactory(code="UN-1267", name="Al-Qaida", target_country=None), code="arms-embargo")
    html = client.get("/embargoes/").content.decode()
    rows = re.findall(r'<tr><th scope="row"><a href="/regimes/([\w-]+)/#embargo">.*?</tr>', html, re.S)
    assert rows == ["UN-733", "UN-1267"]  # oldest first
    somalia_row = re.search(r'/regimes/UN-733/#embargo">.*?</tr>', html, re.S).group(0)
    assert re.findall(r"<td>(\d+)</td>", somalia_row)[-2:] == ["4", "4"]
    thematic = re.search(r'/regimes/UN-1267/#embargo">.*?</tr>', html, re.S).group(0)
    assert "thematic" in thematic
    assert 'href="/embargoes/"' in html  # in the site's navigation


def test_an_export_ban_counts_the_deliveries_out_of_its_target_and_not_into_it(client):
    cache.clear()
    regime = f.RegimeFactory(code="UN-1718", name="DPRK", target_country=f.country("KP"))
    f.MeasureFactory(regime=regime, code="arms-export-ban", direction="exports_from_target", covers=["arms"])
    for reference, supplier, recipient in (("kp-ru-missiles", "KP", "RU"), ("ru-kp-rifles", "RU", "KP")):
        f.TransferFactory(
            reference=reference,
            supplier=f.country(supplier),
            recipient=f.country(recipient),
            category="missiles",
            started_on=D(2023, 11, 1),
            ended_on=D(2023, 12, 31),
            review_status=ReviewStatus.PUBLISHED,
        )
    html = client.get("/regimes/UN-1718/").content.decode()
    section = html[html.index('<section id="embargo">') :]
    assert "1 recorded delivery of arms" in section
    assert re.findall(
        r'<tr><th scope="row"><a href="/countries/(\w\w)/">[^<]*</a> <span class="muted">\((.*?)\)', section
    ) == [("RU", "out of")]
