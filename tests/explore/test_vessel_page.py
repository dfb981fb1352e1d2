"""A vessel's public page: its IMO number, its flags with their dates, its former names, its
designations across lists and the transfers it carried."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import ActorFactory, AuthorityFactory, DesignationFactory, RegimeFactory, TransferFactory, country

pytestmark = pytest.mark.django_db
D = datetime.date


def text(html, section=None):
    if section:
        start = html.index(f'id="{section}"')
        html = html[start : html.index("</section>" if section != "vessel" else "</dl>", start)]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def vessel():
    ship = ActorFactory(
        slug="an-san-1",
        kind="vessel",
        name="AN SAN 1",
        aliases=["AN SAN", "PIONEER 1"],
        imo="7303803",
        flags=[
            {"country": "KP", "from": "2015-03-01", "to": None},
            {"country": "PA", "from": None, "to": "2015-02-28"},
        ],
    )
    un = RegimeFactory(code="UN-1718", authority=AuthorityFactory(code="UN", name="United Nations Security Council"))
    us = RegimeFactory(
        code="US-DPRK3",
        authority=AuthorityFactory(code="US", name="United States Department of the Treasury"),
    )
    DesignationFactory(actor=ship, regime=un, reference="KPv.001", listed_on=D(2018, 3, 30))
    DesignationFactory(actor=ship, regime=us, reference="24999", listed_on=D(2018, 2, 23), delisted_on=D(2024, 1, 5))
    return ship


def carried(ship, reference, **fields):
    transfer = TransferFactory(
        reference=reference,
        supplier=country("RU"),
        recipient=country("KP"),
        category="refined_petroleum",
        review_status="published",
        **fields,
    )
    transfer.vessels.add(ship)
    return transfer


def page(client, ship):
    cache.clear()
    response = client.get(f"/actors/{ship.slug}/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_vessel_page_shows_its_imo_number_flags_former_names_and_designations(client, vessel):
    html = page(client, vessel)
    facts = text(html, "vessel")
    assert "IMO number 7303803" in facts
    assert "KP (from 2015-03-01); PA (since a date not given to 2015-02-28)" in facts
    assert "Former names and other names AN SAN; PIONEER 1" in facts
    designations = text(html, "designations")
    assert "UN-1718 (United Nations Security Council) KPv.001: listed 30 Mar 2018" in designations
    assert "US-DPRK3 (United States Department of the Treasury) 24999: listed 23 Feb 2018, delisted 5 Jan 2024" in (
        designations
    )


def test_a_vessel_page_lists_the_published_transfers_it_carried(client, vessel):
    carried(vessel, "ru-kp-fuel-2024-03", started_on=D(2024, 3, 1), ended_on=D(2024, 3, 31))
    draft = carried(vessel, "ru-kp-fuel-draft", started_on=D(2024, 4, 1), ended_on=D(2024, 4, 30))
    draft.review_status = "draft"
    draft.save()
    TransferFactory(reference="another-ships-cargo", review_status="published")
    section = text(page(client, vessel), "carried")
    assert "ru-kp-fuel-2024-03" in section
    assert "ru-kp-fuel-draft" not in section and "another-ships-cargo" not in section
    # A person's page has no such section.
    assert 'id="carried"' not in page(client, ActorFactory(slug="a-person"))


def count(client, ship):
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/actors/{ship.slug}/").status_code == 200
    return len(queries)


def test_a_vessel_page_runs_a_fixed_number_of_queries_whatever_it_carried(client, vessel):
    person = ActorFactory(slug="someone")
    carried(vessel, "ru-kp-fuel-2024-01", started_on=D(2024, 1, 1), ended_on=D(2024, 1, 31))
    few = count(client, vessel)
    for month in range(2, 10):
        carried(vessel, f"ru-kp-fuel-2024-{month:02d}", started_on=D(2024, month, 1), ended_on=D(2024, month, 28))
    # The transfers it carried and their claim counts: two queries more than a page without them.
    assert count(client, vessel) == few == count(client, person) + 2
