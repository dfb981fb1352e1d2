"""The machinery of ``apps.common`` that every app relies on: the registry, the one
visibility rule, the period rule, the CSV cell and the key text."""

import dataclasses
import datetime
import itertools

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from apps.common.cells import csv_cell
from apps.common.meta import key_text, split_key
from apps.common.models import CuratedModel, TrackedModel
from apps.common.periods import (
    DAY,
    MONTH,
    YEAR,
    Period,
    _first_starting_on_or_after,
    first_day,
    overlapping,
    span_of,
    transfer_span,
    transfers_overlapping,
)
from apps.common.registry import contract_labels, contract_model, contract_models, domain_app_labels
from apps.common.roles import EDITORS
from apps.sanctions.models import Regime
from apps.transfers.models import Claim, Transfer
from tests.factories import ClaimFactory, RegimeFactory, TransferFactory

D = [datetime.date(2024, month, 1) for month in (1, 3, 5, 7)]


# --- the registry ------------------------------------------------------------------------


def test_the_registry_holds_every_tracked_model_once():
    models = contract_models()
    assert len(models) == len(set(models)) == 15
    assert all(issubclass(model, TrackedModel) and not model._meta.abstract for model in models)
    assert contract_labels()[0] == "geo.country"
    assert contract_model(" Transfers.Transfer ") is Transfer
    assert contract_model("auth.user") is None
    assert domain_app_labels() == ("geo", "actors", "evidence", "resolutions", "sanctions", "transfers", "relations")


def test_the_api_root_links_the_list_of_every_contract_model(client):
    root = client.get("/api/v1/").json()
    links = set(root.values())
    for model in contract_models():
        assert f"http://testserver{reverse(f'api:{model._meta.model_name}-list')}" in links
    assert root["graph"].endswith("/api/v1/graph/") and root["changes"].endswith("/api/v1/changes/")


# --- who sees drafts ---------------------------------------------------------------------


@pytest.fixture
def editor(django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("ed")
    user.groups.add(Group.objects.get(name=EDITORS))
    return user


@pytest.mark.django_db
def test_a_claim_is_public_only_when_it_and_its_transfer_are_published(editor):
    claims = {}
    for transfer_status, claim_status in itertools.product(("draft", "published"), repeat=2):
        transfer = TransferFactory(review_status=transfer_status)
        claims[transfer_status, claim_status] = ClaimFactory(transfer=transfer, review_status=claim_status)
    anonymous = AnonymousUser()

    assert set(Claim.objects.visible_to(anonymous)) == {claims["published", "published"]}
    assert set(Claim.objects.visible_to(editor)) == set(claims.values())
    assert set(Claim.objects.published()) == {claims["published", "published"]}
    for claim in Claim.objects.select_related("transfer"):
        assert claim.is_visible_to(anonymous) == (claim in Claim.objects.visible_to(anonymous))
        assert claim.is_visible_to(editor)


@pytest.mark.django_db
def test_records_that_are_not_curated_are_visible_to_everyone():
    for model in contract_models():
        if not issubclass(model, CuratedModel):
            queryset = model.objects.all()
            assert queryset.visible_to(None).query.where == queryset.query.where


# --- periods -----------------------------------------------------------------------------

DATES = [None, *D]
TODAY = datetime.date(2024, 4, 10)
ASKED = [None, datetime.date(2024, 1, 15), datetime.date(2024, 3, 31), datetime.date(2024, 4, 20), D[3]]


def dated(start, end, precision="day"):
    return type("Dated", (), {"started_on": start, "ended_on": end, "date_precision": precision})


@pytest.mark.django_db
def test_the_query_and_the_memory_forms_of_the_standing_rule_agree():
    regimes = {}
    for number, (start, end) in enumerate(itertools.product(DATES, repeat=2)):
        if start and end and end < start:
            continue
        regimes[RegimeFactory(code=f"R-{number}", started_on=start, ended_on=end).pk] = (start, end)
    for start, end in itertools.product(ASKED, repeat=2):
        if start and end and end < start:
            continue
        expected = {pk for pk, (s, e) in regimes.items() if span_of(dated(s, e)).overlaps(Period(start, end))}
        queried = set(
            Regime.objects.filter(pk__in=regimes).filter(overlapping(start, end)).values_list("pk", flat=True)
        )
        assert queried == expected, (start, end)


@pytest.mark.django_db
def test_the_query_and_the_memory_forms_of_the_transfer_rule_agree():
    """Every start and end (or none), each precision, an ongoing transfer before and after
    today: the SQL condition selects exactly the transfers whose span meets the period."""
    dates = [None, datetime.date(2024, 1, 20), datetime.date(2024, 3, 31), datetime.date(2024, 4, 25)]
    transfers = {}
    for start, end in itertools.product(dates, repeat=2):
        if start and end and end < start:
            continue
        for precision in (DAY, MONTH, YEAR):
            transfer = TransferFactory(started_on=start, ended_on=end, date_precision=precision)
            transfers[transfer.pk] = transfer
    for start, end in itertools.product(ASKED, repeat=2):
        if start and end and end < start:
            continue
        asked = Period(start, end)
        expected = {pk for pk, t in transfers.items() if transfer_span(t, today=TODAY).overlaps(asked)}
        condition = transfers_overlapping(start, end, today=TODAY)
        queried = set(Transfer.objects.filter(pk__in=transfers).filter(condition).values_list("pk", flat=True))
        assert queried == expected, (start, end)


def earliest_start_on_or_after(day, precision):
    """By its definition: the first date from ``day`` on whose widened start is not before ``day``."""
    candidate = day
    while first_day(candidate, precision) < day:
        candidate += datetime.timedelta(days=1)
    return candidate


@pytest.mark.parametrize(
    ("day", "precision", "expected"),
    [
        (datetime.date(2024, 4, 30), MONTH, datetime.date(2024, 5, 1)),  # the last day of a month
        (datetime.date(2024, 4, 16), MONTH, datetime.date(2024, 5, 1)),
        (datetime.date(2024, 5, 1), MONTH, datetime.date(2024, 5, 1)),  # the first: itself
        (datetime.date(2024, 2, 29), MONTH, datetime.date(2024, 3, 1)),  # a leap day
        (datetime.date(2023, 12, 31), MONTH, datetime.date(2024, 1, 1)),  # into the next year
        (datetime.date(2024, 1, 1), YEAR, datetime.date(2024, 1, 1)),
        (datetime.date(2024, 1, 2), YEAR, datetime.date(2025, 1, 1)),
        (datetime.date(2024, 12, 31), YEAR, datetime.date(2025, 1, 1)),
        (datetime.date(2024, 4, 30), DAY, datetime.date(2024, 4, 30)),
        # The calendar's last month and year: no later start at that precision.
        (datetime.date(9999, 11, 30), MONTH, datetime.date(9999, 12, 1)),
        (datetime.date(9999, 12, 1), MONTH, datetime.date(9999, 12, 1)),
        (datetime.date(9999, 12, 2), MONTH, None),
        (datetime.date.max, MONTH, None),
        (datetime.date(9999, 1, 1), YEAR, datetime.date(9999, 1, 1)),
        (datetime.date(9999, 1, 2), YEAR, None),
        (datetime.date.max, DAY, datetime.date.max),
    ],
)
def test_the_first_start_on_or_after_a_boundary_day(day, precision, expected):
    assert _first_starting_on_or_after(day, precision) == expected


@pytest.mark.parametrize("precision", [DAY, MONTH, YEAR])
def test_the_first_start_on_or_after_every_day_of_two_years_is_as_defined(precision):
    day = datetime.date(2023, 1, 1)
    while day.year < 2025:
        assert _first_starting_on_or_after(day, precision) == earliest_start_on_or_after(day, precision), day
        day += datetime.timedelta(days=1)


@pytest.mark.django_db
def test_the_query_and_the_memory_forms_of_the_transfer_rule_agree_at_the_ends_of_the_calendar():
    """Periods from or to the calendar's first and last days (a filter's ``9999-12-31``): the
    query is built (before, a day was added to 31 December 9999: OverflowError) and selects
    the transfers the rule in memory does, ongoing ones that start in its last month and year
    included."""
    last, first = datetime.date.max, datetime.date.min
    dates = [None, first, datetime.date(2024, 1, 20), datetime.date(9999, 1, 2), datetime.date(9999, 12, 2), last]
    transfers = {}
    for start, end in itertools.product(dates, repeat=2):
        if start and end and end < start:
            continue
        for precision in (DAY, MONTH, YEAR):
            transfer = TransferFactory(started_on=start, ended_on=end, date_precision=precision)
            transfers[transfer.pk] = transfer
    for start, end in itertools.product([None, first, datetime.date(9999, 12, 15), last], repeat=2):
        if start and end and end < start:
            continue
        asked = Period(start, end)
        expected = {pk for pk, t in transfers.items() if transfer_span(t, today=TODAY).overlaps(asked)}
        condition = transfers_overlapping(start, end, today=TODAY)
        queried = set(Transfer.objects.filter(pk__in=transfers).filter(condition).values_list("pk", flat=True))
        assert queried == expected, (start, end)


@pytest.mark.django_db
def test_an_ongoing_transfer_meets_a_later_period_only_if_its_widened_start_reaches_it():
    """A period from 30 April, asked on 10 April: an ongoing transfer runs to today or to its
    widened start, whichever is later; only those whose widened start is on or after 30 April
    reach it (the query and the rule in memory alike)."""
    today, start = datetime.date(2024, 4, 10), datetime.date(2024, 4, 30)
    cases = {
        ("day", datetime.date(2024, 4, 29)): False,
        ("day", datetime.date(2024, 4, 30)): True,
        ("month", datetime.date(2024, 4, 30)): False,  # April: from 1 April, so to today only
        ("month", datetime.date(2024, 5, 1)): True,
        ("month", datetime.date(2024, 5, 31)): True,
        ("year", datetime.date(2024, 12, 31)): False,  # 2024: from 1 January, to today
        ("year", datetime.date(2025, 1, 1)): True,
    }
    transfers = {
        TransferFactory(started_on=day, ended_on=None, date_precision=precision).pk: (precision, day)
        for precision, day in cases
    }
    queried = set(
        Transfer.objects.filter(pk__in=transfers)
        .filter(transfers_overlapping(start, None, today=today))
        .values_list("pk", flat=True)
    )
    assert {transfers[pk] for pk in queried} == {case for case, meets in cases.items() if meets}
    for transfer in Transfer.objects.filter(pk__in=transfers):
        meets = transfer_span(transfer, today=today).overlaps(Period(start, None))
        assert meets == cases[(transfer.date_precision, transfer.started_on)], transfers[transfer.pk]


def test_precision_widens_a_transfer_and_an_open_end_runs_to_today():
    assert transfer_span(dated(datetime.date(2024, 3, 14), None), today=TODAY) == Period(
        datetime.date(2024, 3, 14), TODAY
    )
    month = dated(datetime.date(2024, 2, 10), datetime.date(2024, 2, 12), "month")
    assert transfer_span(month, today=TODAY) == Period(datetime.date(2024, 2, 1), datetime.date(2024, 2, 29))
    year = dated(datetime.date(2023, 6, 1), None, "year")
    assert transfer_span(year, today=TODAY) == Period(datetime.date(2023, 1, 1), TODAY)
    future = dated(datetime.date(2025, 1, 1), None)
    assert transfer_span(future, today=TODAY) == Period(datetime.date(2025, 1, 1), datetime.date(2025, 1, 1))
    assert transfer_span(dated(None, None), today=TODAY) == Period(None, TODAY)


def test_periods_meet_on_a_shared_day_and_not_across_a_gap():
    assert Period(D[0], D[1]).overlaps(Period(D[1], D[2]))
    assert not Period(D[0], D[1]).overlaps(Period(D[2], D[3]))
    assert not Period(D[2], D[3]).overlaps(Period(D[0], D[1]))
    assert Period(None, None).overlaps(Period(D[0], D[0]))
    assert Period(D[0], None).intersection(Period(None, D[2])) == Period(D[0], D[2])


def test_a_period_reads_as_its_dates_with_an_ellipsis_for_an_open_side():
    """As a reason writes a transfer's span (apps.transfers.services: "The transfer spans …")."""
    assert str(Period(D[0], D[1])) == "2024-01-01 to 2024-03-01"
    assert str(Period(None, D[1])) == "… to 2024-03-01"
    assert str(Period(D[0], None)) == "2024-01-01 to …"


def test_a_period_is_a_value_equal_by_its_dates_hashable_and_unchangeable():
    period = Period(D[0], D[1])
    assert period == Period(D[0], D[1]) and len({period, Period(D[0], D[1])}) == 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        period.end = D[2]


@pytest.mark.django_db
def test_every_ongoing_transfer_meets_a_period_that_starts_today():
    """Asked from today itself: an ongoing transfer has run to today whenever it started, at
    every precision (the query and the rule in memory alike)."""
    transfers = {
        TransferFactory(started_on=datetime.date(2024, 1, 20), ended_on=None, date_precision=precision).pk
        for precision in (DAY, MONTH, YEAR)
    }
    asked = transfers_overlapping(TODAY, None, today=TODAY)
    assert set(Transfer.objects.filter(pk__in=transfers).filter(asked).values_list("pk", flat=True)) == transfers
    for transfer in Transfer.objects.filter(pk__in=transfers):
        assert transfer_span(transfer, today=TODAY).overlaps(Period(TODAY, None))


# --- cells and keys ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (None, ""),
        (True, "true"),
        (False, "false"),
        ("KP", "KP"),
        (3, "3"),
        (datetime.date(2024, 6, 19), "2024-06-19"),
        (["KP", "RU"], "KP;RU"),
        ([["S/RES/1718 (2006)", "8(b)"], ["S/RES/1874 (2009)", "9"]], "S/RES/1718 (2006)|8(b);S/RES/1874 (2009)|9"),
        ({"un_ref": "KPi.033", "a": 1}, '{"a": 1, "un_ref": "KPi.033"}'),
        ({"name": "조선"}, '{"name": "조선"}'),
    ],
)
def test_a_value_is_written_as_the_csv_files_write_it(value, cell):
    assert csv_cell(value) == cell


def test_a_compound_key_is_joined_and_split_and_a_single_key_is_never_split():
    assert key_text(("S/RES/1718 (2006)", "8(b)")) == "S/RES/1718 (2006)|8(b)"
    assert key_text("KP") == "KP"
    assert split_key("S/RES/1718 (2006)|8(b)", 2) == ["S/RES/1718 (2006)", "8(b)"]
    assert split_key("a|b", 1) == ["a|b"]
