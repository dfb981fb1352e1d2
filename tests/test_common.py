"""The machinery of ``apps.common`` that every app relies on: the registry, the one
visibility rule, the period rule, the CSV cell and the key text."""

import datetime
import itertools

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from apps.common.cells import csv_cell
from apps.common.meta import key_text, split_key
from apps.common.models import CuratedModel, TrackedModel
from apps.common.periods import ONGOING, POINT, Period, overlapping, span_of
from apps.common.registry import contract_labels, contract_model, contract_models, domain_app_labels
from apps.common.roles import EDITORS
from apps.transfers.models import Claim, Transfer
from tests.factories import ClaimFactory, TransferFactory

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


def spans(*, open_end):
    """Every (start, end) of the grid a record may have: end not before start, at least one
    date for a point record."""
    for start, end in itertools.product(DATES, repeat=2):
        if start and end and end < start:
            continue
        if open_end == POINT and start is None and end is None:
            continue
        yield start, end


@pytest.mark.django_db
@pytest.mark.parametrize("open_end", [ONGOING, POINT])
def test_the_query_and_the_memory_forms_of_the_period_rule_agree(open_end):
    records = {
        TransferFactory(started_on=start, ended_on=end).pk: (start, end) for start, end in spans(open_end=open_end)
    }
    transfers = Transfer.objects.filter(pk__in=records)
    for start, end in itertools.product(DATES, repeat=2):
        if start and end and end < start:
            continue
        asked = Period(start, end)
        in_memory = {pk for pk, (s, e) in records.items() if span_of_dates(s, e, open_end).overlaps(asked)}
        queried = set(transfers.filter(overlapping(start, end, open_end=open_end)).values_list("pk", flat=True))
        assert queried == in_memory, (start, end)


def span_of_dates(start, end, open_end):
    return span_of(type("Dated", (), {"started_on": start, "ended_on": end}), open_end=open_end)


def test_an_ongoing_record_runs_on_and_a_point_record_is_its_start_date():
    assert span_of_dates(D[0], None, ONGOING).overlaps(Period(D[3], D[3]))
    assert not span_of_dates(D[0], None, POINT).overlaps(Period(D[1], D[3]))
    assert span_of_dates(None, D[2], POINT) == Period(D[2], D[2])
    assert Period(D[0], D[1]).overlaps(Period(D[1], D[2]))
    assert not Period(D[0], D[1]).overlaps(Period(D[2], D[3]))
    assert not Period(D[2], D[3]).overlaps(Period(D[0], D[1]))
    assert Period(None, None).overlaps(Period(D[0], D[0]))


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
