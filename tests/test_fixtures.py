"""Fixture files: the shipped ones and one written by an outsider against the contract."""

from pathlib import Path

import pytest
from django.core.management import call_command

from apps.common.registry import contract_labels
from apps.ingest.management.commands.load_demo import demo_fixture_files
from tests.helpers import contract_model, snapshot

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
CONTRACT_ONLY = Path(__file__).parent / "data" / "contract_only.json"


def counts():
    return {label: contract_model(label).objects.count() for label in contract_labels()}


def bookkeeping():
    return {
        label: sorted(contract_model(label).objects.values_list("pk", "created_at", "updated_at", "version"))
        for label in contract_labels()
    }


def test_the_demo_fixtures_exist():
    assert [path.name for path in demo_fixture_files()] == [
        "01_sources.json",
        "02_actors.json",
        "03_resolutions.json",
        "03b_panel_renewals.json",
        "04_sanctions.json",
        "05_transfers.json",
        "06_relations.json",
    ]


@pytest.mark.parametrize("path", sorted((ROOT / "fixtures").rglob("*.json")), ids=lambda p: p.name)
def test_every_shipped_fixture_has_natural_keys_and_no_pks(path):
    assert '"pk"' not in path.read_text()


def test_every_demo_object_passes_full_clean(demo_data):
    checked = 0
    for label in contract_labels():
        for record in contract_model(label).objects.all():
            record.full_clean()
            checked += 1
    assert checked > 249 + 400


def test_loading_the_demo_data_twice_changes_nothing(demo_data):
    before_counts, before_rows = counts(), bookkeeping()
    before = {label: snapshot(label) for label in contract_labels()}
    call_command("load_demo", verbosity=0)
    assert counts() == before_counts
    assert bookkeeping() == before_rows
    assert {label: snapshot(label) for label in contract_labels()} == before


def test_the_demo_fixtures_load_with_plain_loaddata_twice_without_duplicates():
    call_command("loaddata", *[str(path) for path in demo_fixture_files()], verbosity=0)
    first = counts()
    assert first["transfers.transfer"] == 10
    assert first["resolutions.vote"] == first["resolutions.resolution"] * 15
    call_command("loaddata", *[str(path) for path in demo_fixture_files()], verbosity=0)
    assert counts() == first


def test_loaddata_fills_the_bookkeeping_the_fixture_omits():
    from apps.transfers.models import Transfer

    call_command("loaddata", *[str(path) for path in demo_fixture_files()], verbosity=0)

    transfer = Transfer.objects.get(reference="kp-ru-ballistic-missiles-2023")
    assert transfer.created_at is not None
    assert transfer.updated_at == transfer.created_at
    assert transfer.version == 1


def test_an_outsiders_contract_fixture_loads_twice_without_duplicates():
    call_command("loaddata", str(CONTRACT_ONLY), verbosity=0)
    first = counts()
    call_command("loaddata", str(CONTRACT_ONLY), verbosity=0)
    assert counts() == first
    assert first["transfers.transfer"] == 1 and first["resolutions.vote"] == 2
    assert first["geo.country"] == 249
    from apps.transfers.models import Transfer

    transfer = Transfer.objects.get(reference="kp-cn-coal-2024")
    assert [c.iso2 for c in transfer.via.all()] == ["RU"]
    assert transfer.created_at is not None


def test_a_corrected_fixture_updates_only_what_changed(tmp_path):
    call_command("loaddata", str(CONTRACT_ONLY), verbosity=0)
    from apps.transfers.models import Claim, Transfer

    before_claim = Claim.objects.get().updated_at
    corrected = CONTRACT_ONLY.read_text().replace('"quantity_high": 20000', '"quantity_high": 25000')
    path = tmp_path / "corrected.json"
    path.write_text(corrected)
    call_command("loaddata", str(path), verbosity=0)

    transfer = Transfer.objects.get()
    assert transfer.quantity_high == 25000
    assert transfer.version == 2 and transfer.updated_at > transfer.created_at
    assert Claim.objects.get().updated_at == before_claim
