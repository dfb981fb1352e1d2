"""``field__any_of``: the rows ``__in`` gives, the list sent as one value on PostgreSQL."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.geo.models import Country
from apps.transfers.models import Transfer
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def transfers():
    return [f.TransferFactory(reference=f"t-{i}") for i in range(5)]


def test_any_of_matches_the_rows_in_matches(transfers):
    ids = [transfers[0].pk, transfers[3].pk, transfers[3].pk, None]
    assert (
        set(Transfer.objects.filter(pk__any_of=ids))
        == set(Transfer.objects.filter(pk__in=ids))
        == {
            transfers[0],
            transfers[3],
        }
    )
    # Across a foreign key, by its column or by the relation; and on a text column.
    supplier = transfers[1].supplier_id
    assert set(Transfer.objects.filter(supplier_id__any_of=[supplier])) == set(
        Transfer.objects.filter(supplier=supplier)
    )
    assert set(Transfer.objects.filter(supplier__any_of=[supplier])) == set(Transfer.objects.filter(supplier=supplier))
    assert sorted(Country.objects.filter(iso2__any_of=["RU", "KP", "XX"]).values_list("iso2", flat=True)) == [
        "KP",
        "RU",
    ]
    references = ["t-1", "t-4"]
    assert (
        sorted(Transfer.objects.filter(reference__any_of=references).values_list("reference", flat=True)) == references
    )


def test_an_empty_list_matches_no_row_and_excluding_it_every_row(transfers):
    assert list(Transfer.objects.filter(pk__any_of=[])) == []
    assert list(Transfer.objects.filter(pk__any_of=[None])) == []
    assert Transfer.objects.exclude(pk__any_of=[]).count() == len(transfers)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the array is PostgreSQL's")
def test_on_postgresql_the_list_is_one_parameter(transfers):
    with CaptureQueriesContext(connection) as captured:
        found = list(Transfer.objects.filter(pk__any_of=[t.pk for t in transfers]).values_list("pk", flat=True))
    assert sorted(found) == sorted(t.pk for t in transfers)
    (query,) = captured.captured_queries
    assert "= ANY(" in query["sql"] and " IN (" not in query["sql"]
