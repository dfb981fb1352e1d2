"""import_sipri on a sample of SIPRI's trade register: deals, their delivery years, parties,
categories, SIPRI's claims, findings, re-imports and malformed rows."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from apps.actors.models import Actor
from apps.evidence.models import Source
from apps.geo.models import Country
from apps.ingest.services.sipri import CATEGORIES, import_sipri
from apps.transfers.models import Claim, Finding, Transfer
from tests.ingest.conftest import row_counts

pytestmark = pytest.mark.django_db

REGISTER = Path(__file__).resolve().parent.parent / "data" / "sipri_trade_register.csv"


@pytest.fixture
def register():
    return REGISTER.read_bytes()


def replace_line(data, start, new):
    """The register with the line starting ``start`` replaced by ``new``."""
    lines = data.decode("utf-8").splitlines()
    lines = [new if line.startswith(start) else line for line in lines]
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_deals_become_transfers_and_their_delivery_years_parts(register):
    report = import_sipri(register, name="register.csv")
    assert report.ok, [str(e) for e in report.errors]
    guns = Transfer.objects.get(reference="sipri-68227")
    assert (guns.supplier.iso2, guns.recipient.iso2, guns.category) == ("KP", "RU", "heavy_weapons")
    assert guns.items == "M-1978 170mm (self-propelled gun)"
    assert (guns.quantity_low, guns.quantity_high, guns.value_low, guns.value_unit) == (
        10,
        10,
        Decimal("5"),
        "SIPRI TIV (millions)",
    )
    assert (str(guns.started_on), str(guns.ended_on), guns.date_precision) == ("2024-01-01", "2024-12-31", "year")
    assert guns.status == "confirmed" and guns.part_of is None
    # The estimate is said, and widens nothing: one number, no made-up range.
    assert "10 (number estimated)" in guns.description and "status Second hand" in guns.description
    assert [p.reference for p in guns.parts.all()] == ["sipri-68227-2024"]

    missiles = Transfer.objects.get(reference="sipri-68230")
    assert missiles.category == "missiles"
    assert (missiles.quantity_low, missiles.quantity_high, missiles.value_low) == (100, 100, Decimal("150"))
    assert (str(missiles.started_on), str(missiles.ended_on)) == ("2023-01-01", "2024-12-31")
    years = {p.reference: (p.quantity_low, str(p.started_on), p.status) for p in missiles.parts.all()}
    assert years == {
        "sipri-68230-2023": (5, "2023-01-01", "confirmed"),
        "sipri-68230-2024": (95, "2024-01-01", "confirmed"),
    }
    assert list(missiles.sources.values_list("url", flat=True)) == ["https://www.sipri.org/databases/armstransfers"]


def test_historical_states_non_state_recipients_and_unknown_parties(register):
    report = import_sipri(register, name="register.csv")
    assert report.ok
    cuba = Transfer.objects.get(reference="sipri-9101")
    assert (cuba.supplier.iso2, cuba.supplier.name, cuba.recipient.iso2) == ("SU", "Soviet Union", "CU")
    assert Country.objects.filter(iso2="SU").exists()
    hezbollah = Transfer.objects.get(reference="sipri-41230")
    assert (hezbollah.supplier.iso2, hezbollah.recipient.iso2) == ("IR", "LB")
    actor = hezbollah.recipient_actor
    assert (actor.slug, actor.kind, actor.name, actor.country.iso2) == (
        "sipri-hezbollah-lebanon",
        "armed_group",
        "Hezbollah",
        "LB",
    )
    # No number given: not known, not zero.
    assert hezbollah.quantity_low is None and hezbollah.quantity_high is None
    nato = Actor.objects.get(slug="sipri-nato")
    assert (nato.kind, nato.name, nato.country) == ("organization", "NATO", None)
    # An organisation has no country and an unknown supplier is not guessed: not loaded, said.
    assert not Transfer.objects.filter(reference__in=["sipri-2201", "sipri-55310"]).exists()
    assert "not loaded: 1 deal(s), unknown supplier(s) (first at line 20)" in report.notes
    assert any(note.startswith("not loaded: 1 deal(s), NATO**") for note in report.notes)
    assert Transfer.objects.filter(reference__startswith="sipri-").count() == 10


def test_sipri_claims_each_deal_on_its_database():
    import_sipri(REGISTER.read_bytes(), name="register.csv")
    claims = Claim.objects.filter(reference__startswith="sipri-")
    assert claims.count() == 4
    claim = claims.get(reference="sipri-68227-register")
    assert (claim.transfer.reference, claim.stance, claim.claimant_actor.slug) == (
        "sipri-68227",
        "corroborates",
        "sipri",
    )
    assert (claim.source.url, claim.source.kind) == ("https://www.sipri.org/databases/armstransfers", "dataset")


def test_category_mapping_is_the_documented_one():
    table = (Path(__file__).resolve().parents[2] / "docs" / "data-loads.md").read_text(encoding="utf-8")
    for sipri, category in CATEGORIES.items():
        assert f"| {sipri} | `{category}` |" in table
    assert len(CATEGORIES) == 12


def test_north_korean_deliveries_to_russia_breach_the_1718_arms_export_ban(demo_data, register):
    source_title = Source.objects.get(url="https://www.sipri.org/databases/armstransfers").title
    report = import_sipri(register, name="register.csv")
    assert report.ok, [str(e) for e in report.errors]
    for reference in ("sipri-68227", "sipri-68227-2024", "sipri-68230", "sipri-68230-2023", "sipri-68230-2024"):
        kinds = set(
            Finding.objects.filter(transfer__reference=reference, measure__regime__code="UN-1718").values_list(
                "measure__code", "kind"
            )
        )
        assert ("arms-export-ban", "breach") in kinds, (reference, kinds)
    # The demo's source is reused as it is.
    assert Source.objects.get(url="https://www.sipri.org/databases/armstransfers").title == source_title


def test_reimporting_the_same_register_changes_nothing(register):
    import_sipri(register, name="register.csv")
    before = row_counts()
    report = import_sipri(register, name="register.csv")
    assert report.ok and report.totals().created == 0 and report.totals().updated == 0
    assert row_counts() == before


def test_a_reimport_keeps_the_sources_an_editor_added(register):
    import_sipri(register, name="register.csv")
    deal = Transfer.objects.get(reference="sipri-68227")
    report = Source.objects.create(url="https://example.org/m-1978-report", title="A report on the guns")
    deal.sources.add(report)
    assert import_sipri(register, name="register.csv").ok
    assert set(deal.sources.values_list("url", flat=True)) == {
        "https://www.sipri.org/databases/armstransfers",
        "https://example.org/m-1978-report",
    }


def test_a_newer_register_updates_changed_deals_and_adds_new_ones(register):
    import_sipri(register, name="register.csv")
    newer = replace_line(
        register,
        "68227,",
        "68227,North Korea,Russia,M-1978 170mm,self-propelled gun,Artillery,2024,,12,Yes,2024,,Second hand,1.25,0.5,6,No;",
    )
    newer += b"68227,North Korea,Russia,M-1978 170mm,self-propelled gun,Artillery,2024,,8,Yes,2025,,Second hand,1.25,0.5,4,No;\n"
    report = import_sipri(newer, name="newer.csv")
    assert report.ok, [str(e) for e in report.errors]
    assert report.counts["transfers.transfer"].created == 1
    assert report.counts["transfers.transfer"].updated == 2
    guns = Transfer.objects.get(reference="sipri-68227")
    assert (guns.quantity_low, str(guns.ended_on)) == (20, "2025-12-31")
    assert Transfer.objects.filter(reference__startswith="sipri-68227").count() == 3
    assert Transfer.objects.get(reference="sipri-68227-2024").quantity_low == 12


def test_a_bad_row_names_its_line_and_column_and_writes_nothing(register, tmp_path):
    before = row_counts()
    bad = replace_line(
        register,
        "68227,",
        "68227,North Korea,Russia,M-1978 170mm,self-propelled gun,Artillery,2024,,ten,Yes,2024,,Second hand,1.25,0.5,5,No;",
    )
    report = import_sipri(bad, name="bad.csv")
    assert [str(e) for e in report.errors] == ["bad.csv, line 13: Numbers delivered: 'ten' is not a whole number"]
    assert row_counts() == before
    path = tmp_path / "bad.csv"
    path.write_bytes(bad)
    with pytest.raises(CommandError, match=r"1 error\(s\); nothing was written"):
        call_command("import_sipri", str(path))
    assert row_counts() == before


def test_the_command_dry_run_writes_nothing(capsys):
    before = row_counts()
    call_command("import_sipri", str(REGISTER), "--dry-run")
    out = capsys.readouterr().out
    assert "transfers.transfer: 10 would create" in out and "Dry run: nothing was written." in out
    assert row_counts() == before
    call_command("import_sipri", str(REGISTER))
    assert Transfer.objects.filter(reference__startswith="sipri-").count() == 10


def test_a_latin_1_register_is_read_and_said(register):
    latin = register.decode("utf-8").replace("Cuba", "Curaçao").encode("latin-1")
    report = import_sipri(latin, name="latin.csv")
    assert report.ok, [str(e) for e in report.errors]
    assert "latin.csv: not valid UTF-8, read as Latin-1 (ISO 8859-1)" in report.notes
    assert Transfer.objects.get(reference="sipri-9101").recipient.iso2 == "CW"
