"""Every contract field has a filter or is deliberately left without one, and every filter
of every resource keeps the record it should and drops the one it should not."""

import datetime
from decimal import Decimal

import django_filters
import pytest
from django.urls import resolve

from apps.common.filters import MultiValueFilter, NaturalKeyFilter
from tests.api.resources import RESOURCES

pytestmark = pytest.mark.django_db

RANGE_SUFFIXES = ("_after", "_before", "_min", "_max")


def filterset_of(resource):
    view = resolve(resource.list_path).func.cls
    return view.filterset_class


@pytest.mark.parametrize("resource", RESOURCES, ids=lambda r: r.name)
def test_missing_filters(resource):
    filterset = filterset_of(resource)
    assert filterset._meta.model is resource.model
    filters = filterset.base_filters
    for name in resource.model.contract_field_names():
        if name in filterset.unfiltered:
            assert filterset.unfiltered[name], f"{name} is left unfiltered without a reason"
            continue
        assert name in filters, f"{resource.name}: contract field {name!r} has no filter and no reason"
    for name in filterset.unfiltered:
        assert name in resource.model.contract_field_names(), f"{name} in unfiltered is not a contract field"
    assert "q" in filters


# A compound natural key in a query parameter, as in CSV files (docs/data-model.md, "Natural keys").
KEY_SEPARATOR = "|"


def _key(instance):
    return KEY_SEPARATOR.join(str(part) for part in instance.natural_key())


def _shift(value, days):
    return value + datetime.timedelta(days=days)


def values_for(resource, name, filter_, record):
    """(a value the record matches, a value it does not), or None when there is none."""
    if name in resource.filter_values:
        values = resource.filter_values[name]
        return values(record) if callable(values) else values
    if name == "q":
        return record.natural_key()[0], "zz-no-match-zz"
    value = getattr(record, filter_.field_name) if "__" not in filter_.field_name else None
    if isinstance(filter_, NaturalKeyFilter):
        related = getattr(record, filter_.field_name)
        if hasattr(related, "all"):
            related = related.all().first()
        bogus = KEY_SEPARATOR.join(["no-such"] * len(related.NATURAL_KEY))
        return _key(related), bogus
    if isinstance(filter_, django_filters.IsoDateTimeFilter):
        moment = getattr(record, filter_.field_name)
        other = _shift(moment, 1 if filter_.lookup_expr == "gte" else -1)
        return moment.isoformat(), other.isoformat()
    if isinstance(filter_, django_filters.DateFilter):
        other = _shift(value, 1 if filter_.lookup_expr == "gte" else -1)
        return value.isoformat(), other.isoformat()
    if isinstance(filter_, django_filters.NumberFilter):
        return str(value), str(value + 1 if filter_.lookup_expr == "gte" else value - 1)
    if isinstance(filter_, django_filters.BooleanFilter):
        return str(value).lower(), str(not value).lower()
    if isinstance(filter_, MultiValueFilter):
        if isinstance(value, datetime.date):
            return value.isoformat(), "1900-01-01"
        if isinstance(value, int | Decimal):
            return str(value), str(value + 1)
        return value, "zz-no-match-zz"
    if isinstance(filter_, django_filters.MultipleChoiceFilter):
        other = next(choice for choice, _ in filter_.extra["choices"] if choice != value)
        return value, other
    raise AssertionError(f"no test values for {resource.name}.{name} ({type(filter_).__name__})")


@pytest.mark.parametrize("resource", RESOURCES, ids=lambda r: r.name)
def test_each_filter_keeps_the_matching_record_and_drops_the_other(resource, records, reviewer_client):
    record = records[resource.record]
    record.refresh_from_db()
    checked = []
    for name, filter_ in filterset_of(resource).base_filters.items():
        matching, other = values_for(resource, name, filter_, record)
        found = reviewer_client.get(resource.list_path, {name: matching, "page_size": 500})
        assert found.status_code == 200, (name, found.content)
        assert record.pk in {row["id"] for row in found.json()["results"]}, f"?{name}={matching} lost the record"
        missed = reviewer_client.get(resource.list_path, {name: other, "page_size": 500})
        assert missed.status_code == 200, (name, missed.content)
        assert record.pk not in {row["id"] for row in missed.json()["results"]}, f"?{name}={other} kept the record"
        checked.append(name)
    assert len(checked) >= len(resource.model.contract_field_names()) - len(filterset_of(resource).unfiltered)


def test_several_values_of_a_parameter_are_ored(records, reviewer_client):
    response = reviewer_client.get("/api/v1/transfers/", {"category": ["missiles", "fuel"]})
    assert {row["category"] for row in response.json()["results"]} == {"missiles", "fuel"}
    response = reviewer_client.get("/api/v1/transfers/", {"category": ["missiles"]})
    assert {row["category"] for row in response.json()["results"]} == {"missiles"}


def test_ordering(records, reviewer_client):
    rows = reviewer_client.get("/api/v1/transfers/", {"ordering": "-category"}).json()["results"]
    assert [row["category"] for row in rows] == ["missiles", "fuel"]
    rows = reviewer_client.get("/api/v1/transfers/", {"ordering": "category"}).json()["results"]
    assert [row["category"] for row in rows] == ["fuel", "missiles"]


def test_moments_with_offsets_postgresql_refuses_are_read_in_utc(records, reviewer_client):
    response = reviewer_client.get("/api/v1/transfers/", {"created_after": "2000-01-01T00:00:00+19:05"})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 2
    response = reviewer_client.get("/api/v1/transfers/", {"created_after": "0001-01-01T00:00:00+15:00"})
    assert response.status_code == 400
