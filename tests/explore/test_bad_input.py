"""The public pages answer bad input with a 404 (no such record, no such page) or the page
itself, never a 500.

Before, ``?page=99999999999999999999`` made the database fail on the row offset (SQLite:
datatype mismatch; PostgreSQL: bigint out of range), the network's ``?start=9999-12-31`` ran
past the calendar's last day (OverflowError), and a NUL character in a record's address
reached PostgreSQL, which cannot look one up (DataError)."""

import pytest
from django.urls import reverse

from apps.common.paging import last_page_number
from apps.explore import urls
from apps.explore.views import PER_PAGE

HUGE = "99999999999999999999"  # past a signed 64-bit integer
LISTS = ["/transfers/", "/regimes/UN-1718/"]
# Every public address with a record's key in it, from the URL conf.
RECORD_PAGES = [pattern.name for pattern in urls.urlpatterns if pattern.pattern.regex.groupindex]


@pytest.fixture
def demo(demo_data_module):
    """The demo data, loaded once for the module and rolled back afterwards."""


@pytest.mark.django_db
@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(
    "page",
    [HUGE, str(last_page_number(PER_PAGE) + 1), str(last_page_number(PER_PAGE)), "0", "-1", "abc"],
)
def test_a_page_number_that_is_no_page_is_a_404(demo, client, path, page):
    """Past the last page a database can read as past the last page of records."""
    assert client.get(path, {"page": "1"}).status_code == 200
    assert client.get(path, {"page": page}).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("parameter", ["start", "end"])
@pytest.mark.parametrize("day", ["9999-12-31", "9999-12-15", "0001-01-01"])
def test_the_network_is_drawn_for_the_first_and_last_days_of_the_calendar(demo, client, parameter, day):
    response = client.get("/network/", {parameter: day})
    assert response.status_code == 200
    assert b"<svg" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("name", RECORD_PAGES)
@pytest.mark.parametrize("key", ["\x00", "KP\x00", "a%00b"])
def test_a_nul_in_a_record_address_is_a_404(demo, client, name, key):
    """On PostgreSQL, which cannot look a NUL up; SQLite found no record."""
    (parameter,) = next(p for p in urls.urlpatterns if p.name == name).pattern.regex.groupindex
    path = reverse(f"explore:{name}", kwargs={parameter: "placeholder"}).replace("placeholder", key)
    assert client.get(path).status_code == 404
