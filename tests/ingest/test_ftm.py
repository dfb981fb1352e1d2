"""export_data --format ftm: FollowTheMoney JSON Lines that followthemoney reads back."""

import json
import os
import sys

import pytest
from django.core.management import CommandError, call_command

from tests.factories import ActorFactory, TransferFactory, country, one_of_each

pytestmark = pytest.mark.django_db


@pytest.fixture
def ftm_model():
    """followthemoney's model; the package is optional (requirements-ftm.txt) but CI has it."""
    try:
        from followthemoney import model
    except ImportError:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("followthemoney is missing; CI installs requirements-ftm.txt")
        pytest.skip("followthemoney is not installed (pip install -r requirements-ftm.txt)")
    return model


def export(tmp_path):
    path = tmp_path / "entities.jsonl"
    call_command("export_data", "--format", "ftm", "--output", str(path), verbosity=0)
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_every_exported_entity_reads_back_with_the_expected_schemata(ftm_model, tmp_path):
    records = one_of_each()
    ActorFactory(slug="a_vessel", kind="vessel", name="NS LEADER", identifiers={"imo": "9339301"})
    ActorFactory(kind="aircraft", name="P-532")
    ActorFactory(kind="company", name="Trading Co")
    TransferFactory(supplier=country("RU"), recipient=country("KP"), category="financial", items="aid")
    lines = export(tmp_path)
    proxies = [ftm_model.get_proxy(data, cleaned=False) for data in lines]
    by_schema = {}
    for proxy in proxies:
        by_schema.setdefault(proxy.schema.name, []).append(proxy)
    assert set(by_schema) == {
        "Person",
        "Company",
        "Vessel",
        "Airplane",
        "PublicBody",
        "Sanction",
        "UnknownLink",
        "Payment",
        "Event",
    }
    ids = {proxy.id for proxy in proxies}
    assert len(ids) == len(proxies)
    # Every reference points to an entity of the export.
    for proxy in proxies:
        for prop, value in proxy.itervalues():
            if prop.type.name == "entity":
                assert value in ids, (proxy.id, prop.name, value)
    sanction = by_schema["Sanction"][0]
    designation = records["designation"]
    assert sanction.get("entity") == [f"sdb-actor-{designation.actor.slug}"]
    assert sanction.get("programId") == [designation.regime.code]
    assert sanction.get("sourceUrl") == [records["source"].url]
    assert by_schema["Vessel"][0].get("imoNumber") == ["IMO9339301"]
    assert by_schema["Payment"][0].get("payer") == ["sdb-country-ru"]
    roles = {value for link in by_schema["UnknownLink"] for value in link.get("role")}
    assert f"transfer: {records['transfer'].category}" in roles
    assert f"{records['claim'].stance} transfer {records['transfer'].reference}" in roles
    assert records["relationship"].kind in roles


def test_a_value_ftm_refuses_stops_the_export(ftm_model, tmp_path):
    ActorFactory(kind="person", name="Bad Date", identifiers={"birth_dates": ["1971-13"]})
    with pytest.raises(CommandError, match=r"Person.birthDate refuses '1971-13'"):
        export(tmp_path)


def test_without_followthemoney_the_command_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "followthemoney", None)  # what an absent package looks like to import
    with pytest.raises(CommandError, match=r"pip install -r requirements-ftm.txt"):
        export(tmp_path)
