"""How a transfer's findings are read (``apps.transfers.stored``): its stored rows by one kept
statement, the measures, provisions, resolutions and votes they show from a catalogue kept
until one of its tables is written. The answer is the engine's, every write to the
catalogue's tables shows at once, and a warm read is a fixed number of statements."""

import datetime
import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.utils.encoders import JSONEncoder

from apps.common import kept
from apps.common.cache import version_held
from apps.resolutions.models import Vote
from apps.transfers import stored
from apps.transfers.api.serializers import TransferContraventionsSerializer
from apps.transfers.findings import PUBLIC
from apps.transfers.models import Transfer
from apps.transfers.services import contraventions_for
from apps.transfers.stored import CATALOGUE_READS
from tests.factories import (
    ActorFactory,
    AuthorityFactory,
    DesignationFactory,
    MeasureFactory,
    ProvisionFactory,
    RegimeFactory,
    ResolutionFactory,
    TransferFactory,
    VoteFactory,
    country,
)

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(autouse=True)
def _no_kept_catalogue():
    cache.clear()
    kept.store.clear()
    yield
    cache.clear()
    kept.store.clear()


def delivery(reference, recipient, category):
    """A published delivery from the DPRK in January 2023."""
    return TransferFactory(
        reference=reference,
        supplier=country("KP"),
        recipient=country(recipient),
        category=category,
        started_on=D(2023, 1, 1),
        ended_on=D(2023, 2, 1),
        review_status="published",
    )


@pytest.fixture
def shells():
    """A published delivery of shells from the DPRK to Russia under two measures of one regime:
    one resting on a provision of a resolution Russia voted for, one on the regime's own
    resolutions (it has no provision)."""
    regime = RegimeFactory(code="UN-7000", name="A regime", authority=AuthorityFactory(code="UN"))
    resolution = ResolutionFactory(symbol="S/RES/7001 (2016)")
    VoteFactory(resolution=resolution, country=country("RU"), position="yes")
    provided = MeasureFactory(regime=regime, code="arms-export-ban", covers=["munitions"])
    provided.provisions.add(ProvisionFactory(resolution=resolution, paragraph="8(b)", summary="No arms."))
    MeasureFactory(regime=regime, code="services-ban", covers=["munitions"])
    delivery("kp-ru-shells", "RU", "munitions")
    return {"regime": regime, "resolution": resolution, "measure": provided}


def answer(client, reference="kp-ru-shells"):
    response = client.get(f"/api/v1/transfers/{reference}/contraventions/")
    assert response.status_code == 200, response.content
    return response.json()


def by_measure(body):
    return {finding["measure"]["code"]: finding for finding in body["contraventions"]}


def test_every_demo_transfers_findings_read_as_the_engine_gives_them(demo_data, anonymous, editor_client, editor):
    """The API's answer, for the public and for editors, is the serializer's of the engine's
    findings worked out now: the stored rows, the kept catalogue and the compiled reads
    together lose nothing and add nothing."""
    compared = 0
    for who, client, user in (("public", anonymous, None), ("editor", editor_client, editor)):
        transfers = Transfer.objects.select_related("supplier", "recipient", "supplier_actor", "recipient_actor")
        if user is None:
            transfers = transfers.visible_to(None)
        transfers = list(transfers)
        fresh = contraventions_for(transfers, user=user if user is not None else PUBLIC)
        for transfer in transfers:
            transfer.contraventions = fresh[transfer.pk]
            expected = TransferContraventionsSerializer(transfer).data
            body = answer(client, transfer.reference)
            body.pop("being_recomputed")
            assert body == _json(expected), (who, transfer.reference)
            compared += bool(expected["contraventions"])
    assert compared >= 10  # the demo's findings, for both audiences


def _json(data):
    return json.loads(json.dumps(data, cls=JSONEncoder))


def test_a_warm_read_is_four_statements_whatever_the_number_of_findings(shells, anonymous):
    """The transfer, the catalogue's tables' versions, its stored rows and the queue's count:
    the catalogue is not read again, and nothing is compiled per finding."""
    MeasureFactory(regime=shells["regime"], code="another-ban", covers=["munitions", "missiles"])
    Transfer.objects.get(reference="kp-ru-shells").save()  # recomputed with the third measure
    delivery("kp-ru-one", "CN", "missiles")
    counts = {}
    for reference in ("kp-ru-shells", "kp-ru-one"):
        answer(anonymous, reference)
        with CaptureQueriesContext(connection) as queries:
            body = answer(anonymous, reference)
        counts[len(body["contraventions"])] = [query["sql"] for query in queries.captured_queries]
    assert sorted(counts) == [1, 3]
    for findings, statements in counts.items():
        assert len(statements) == 4, (findings, statements)
        assert not any('FROM "sanctions_measure"' in sql for sql in statements)


def test_the_catalogue_is_read_once_and_again_after_a_write_to_one_of_its_tables(shells, anonymous):
    answer(anonymous)
    with CaptureQueriesContext(connection) as warm:
        answer(anonymous)
    shells["regime"].name = "Renamed"
    shells["regime"].save()
    with CaptureQueriesContext(connection) as after_write:
        body = answer(anonymous)
    assert by_measure(body)["arms-export-ban"]["regime"]["name"] == "Renamed"
    reads_measures = ['FROM "sanctions_measure"' in query["sql"] for query in after_write.captured_queries]
    assert any(reads_measures)
    assert not any('FROM "sanctions_measure"' in query["sql"] for query in warm.captured_queries)


def _rename_measure(shells):
    shells["measure"].code = "arms-ban-renamed"
    shells["measure"].save()
    return lambda body: "arms-ban-renamed" in by_measure(body)


def _add_provision(shells):
    shells["measure"].provisions.add(
        ProvisionFactory(resolution=shells["resolution"], paragraph="9", summary="No services.")
    )
    return lambda body: [p["paragraph"] for p in by_measure(body)["arms-export-ban"]["provisions"]] == ["8(b)", "9"]


def _reword_provision(shells):
    provision = shells["measure"].provisions.get()
    provision.summary = "No arms of any kind."
    provision.save()
    return lambda body: by_measure(body)["arms-export-ban"]["provisions"][0]["summary"] == "No arms of any kind."


def _redate_resolution(shells):
    shells["resolution"].voted_on = D(2016, 3, 2)
    shells["resolution"].save()
    return lambda body: by_measure(body)["arms-export-ban"]["resolutions"][0]["voted_on"] == "2016-03-02"


def _rename_regime(shells):
    shells["regime"].name = "Renamed regime"
    shells["regime"].save()
    return lambda body: by_measure(body)["services-ban"]["regime"]["name"] == "Renamed regime"


def _add_regime_resolution(shells):
    shells["regime"].resolutions.add(ResolutionFactory(symbol="S/RES/7002 (2017)"))
    return lambda body: [r["symbol"] for r in by_measure(body)["services-ban"]["resolutions"]] == ["S/RES/7002 (2017)"]


def _recode_authority(shells):
    authority = shells["regime"].authority
    authority.code = "UNSC"
    authority.save()
    return lambda body: by_measure(body)["arms-export-ban"]["regime"]["authority"] == "UNSC"


def _change_vote(shells):
    Vote.objects.filter(resolution=shells["resolution"], country=country("RU")).update(position="abstain")
    return lambda body: by_measure(body)["arms-export-ban"]["resolutions"][0]["recipient_position"] == "abstain"


WRITES = {
    "sanctions_measure": _rename_measure,
    "sanctions_measure_provisions": _add_provision,
    "resolutions_provision": _reword_provision,
    "resolutions_resolution": _redate_resolution,
    "sanctions_regime": _rename_regime,
    "sanctions_regime_resolutions": _add_regime_resolution,
    "sanctions_authority": _recode_authority,
    "resolutions_vote": _change_vote,
}


def test_every_table_of_the_catalogue_has_a_write_below():
    assert sorted(model._meta.db_table for model in CATALOGUE_READS) == sorted(WRITES)


@pytest.mark.parametrize("table", sorted(WRITES))
def test_a_write_to_a_table_of_the_catalogue_shows_in_the_next_answer(table, shells, anonymous):
    before = answer(anonymous)
    shows = WRITES[table](shells)
    assert not shows(before)
    assert shows(answer(anonymous))


def test_a_finding_of_a_measure_newer_than_the_kept_catalogue_is_read_whole(shells, anonymous):
    """Within ``version_held`` (a load's transaction) the catalogue is kept under the held
    version while the block writes: a measure added there, and the finding it gives, are read
    from the catalogue as it stands, not refused as unknown."""
    with version_held():
        assert "newer-ban" not in by_measure(answer(anonymous))
        MeasureFactory(regime=shells["regime"], code="newer-ban", covers=["munitions"])
        assert by_measure(answer(anonymous))["newer-ban"]["regime"]["code"] == "UN-7000"


def test_a_row_read_before_its_measure_was_deleted_is_left_out(shells, anonymous, monkeypatch):
    """A measure deleted between the read of a transfer's rows and the catalogue's takes its
    findings with it: the row read before is left out, not answered with a 500. (The two reads
    cannot be interleaved with a write from a test; the row is added to what was read.)"""
    read = stored.stored_rows

    def with_a_deleted_measure(transfer_pk, *, user=None):
        rows = read(transfer_pk, user=user)
        return [*rows, {**rows[0], "measure_id": 999_999}]

    monkeypatch.setattr(stored, "stored_rows", with_a_deleted_measure)
    assert sorted(by_measure(answer(anonymous))) == ["arms-export-ban", "services-ban"]


def test_a_draft_is_read_by_editors_only(shells, anonymous, editor_client):
    TransferFactory(reference="kp-ru-draft", supplier=country("KP"), recipient=country("RU"), category="munitions")
    assert anonymous.get("/api/v1/transfers/kp-ru-draft/contraventions/").status_code == 404
    assert by_measure(answer(editor_client, "kp-ru-draft"))
    assert by_measure(answer(anonymous))
    assert anonymous.get("/api/v1/transfers/no-such-transfer/contraventions/").status_code == 404


def test_a_designated_partys_finding_reads_with_its_designation(shells, anonymous):
    """A finding about a designated actor carries its designation (reference, actor, regime),
    read beside the stored rows, as the engine gives it."""
    MeasureFactory(
        regime=shells["regime"], code="asset-freeze", kind="asset_freeze", direction="not_applicable", covers=[]
    )
    trader = ActorFactory(slug="a-trader", name="A trader", country=country("KP"))
    DesignationFactory(regime=shells["regime"], actor=trader, reference="KPi.077", listed_on=D(2020, 1, 1))
    transfer = Transfer.objects.get(reference="kp-ru-shells")
    transfer.supplier_actor = trader
    transfer.save()
    transfer = Transfer.objects.select_related("supplier", "recipient", "supplier_actor", "recipient_actor").get(
        pk=transfer.pk
    )
    transfer.contraventions = contraventions_for([transfer], user=PUBLIC)[transfer.pk]
    body = answer(anonymous)
    body.pop("being_recomputed")
    assert body == _json(TransferContraventionsSerializer(transfer).data)
    assert "KPi.077" in json.dumps(by_measure(body)["asset-freeze"])


def test_the_catalogue_is_kept_in_the_process_not_read_back_from_the_shared_cache(shells):
    """Kept as the very object it was read as: no unpickling of a few hundred measures per
    request."""
    assert stored.catalogue() is stored.catalogue()
