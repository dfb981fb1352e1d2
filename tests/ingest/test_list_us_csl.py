"""``import_list us-csl`` on a sample of the US Consolidated Screening List
(tests/data/us_csl/csl.csv): SDN rows agree with ``import_ofac_sdn``, the export-control lists
are regimes of their own, versions, and bad rows."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import strategies as st

from apps.actors.models import Actor
from apps.ingest.services.lists import import_list
from apps.ingest.services.lists_us_csl import COLUMNS, regime_of_source
from apps.sanctions.models import Authority, Designation, Regime
from tests.conftest import LIST_SAMPLES, OFAC_SAMPLE
from tests.ingest.conftest import row_counts
from tests.ingest.test_fuzz_importers import (
    NASTY_TEXT,
    assert_errors_located,
    assert_refused_whole,
    fuzz,
    garbled,
    rolled_back,
)

pytestmark = pytest.mark.django_db

CSL = LIST_SAMPLES / "us_csl" / "csl.csv"


def run(path, *args):
    out = io.StringIO()
    call_command("import_list", "us-csl", str(path), *args, stdout=out)
    return out.getvalue()


def rows():
    with CSL.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def version(tmp_path, name, kept, change=None):
    """The sample with only the rows ``kept`` (by name), each changed by ``change``."""
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, COLUMNS)
        writer.writeheader()
        for row in rows():
            if row["name"].strip() in kept:
                writer.writerow({**row, **(change or {}).get(row["name"].strip(), {})})
    return path


def in_force():
    return sorted(Designation.objects.filter(delisted_on__isnull=True).values_list("regime__code", "reference"))


def test_the_sample_loads_every_row_under_its_list(capsys):
    out = run(CSL)
    assert "actors.actor: 12 created" in out
    assert "sanctions.designation: 13 created" in out
    us = Authority.objects.get(code="US")
    assert (us.kind, us.country.iso2) == ("national", "US")
    assert sorted(Regime.objects.values_list("code", flat=True)) == [
        "US-CYBER2",
        "US-DPL",
        "US-DPRK3",
        "US-DTC",
        "US-EL",
        "US-IFSR",
        "US-IRAN-EO13846",
        "US-MEU",
        "US-RUSSIA-EO14024",
        "US-SDGT",
        "US-UVL",
    ]
    el = Regime.objects.get(code="US-EL")
    assert (el.name, el.target_country) == ("Entity List (EL) - Bureau of Industry and Security", None)
    assert Regime.objects.get(code="US-DPRK3").target_country.iso2 == "KP"

    # An SDN row: its programs, its OFAC entry number as the reference and the actor's ids.
    khoroshev = Actor.objects.get(identifiers__ofac_uid="48603")
    assert (khoroshev.kind, khoroshev.country.iso2, khoroshev.identifiers["us_csl_id"]) == ("person", "RU", "48603")
    assert khoroshev.identifiers["passports"] == ["RU:2018278055", "RU:2006801524"]
    assert khoroshev.identifiers["birth_dates"] == ["1993-04-17"]
    assert "LOCKBITSUPP" in khoroshev.aliases
    assert list(khoroshev.designations.values_list("regime__code", "reference")) == [("US-CYBER2", "48603")]
    frunze = Actor.objects.get(identifiers__ofac_uid="50972")
    assert (frunze.kind, frunze.imo, frunze.flags, frunze.country.iso2) == (
        "vessel",
        "9263643",
        [{"country": "CK", "from": None, "to": None}],
        "CK",
    )
    assert sorted(frunze.designations.values_list("regime__code", flat=True)) == ["US-IFSR", "US-SDGT"]
    assert Actor.objects.get(identifiers__ofac_uid="50544").identifiers["registrations"] == ["RU:1207700248030"]
    assert Actor.objects.get(name="P-532").kind == "aircraft"

    # The export-control lists: the CSL's _id as the reference, the start date as the listing date.
    huawei = Designation.objects.get(regime__code="US-EL", actor__name="Huawei Technologies Co., Ltd.")
    row = next(r for r in rows() if r["name"] == "Huawei Technologies Co., Ltd.")
    assert huawei.reference == row["_id"] == huawei.actor.identifiers["us_csl_id"]
    assert huawei.listed_on.isoformat() == "2019-05-16"
    assert (
        "Federal Register: 84 FR 22961" in huawei.reason and "Licence policy: Presumption of denial." in huawei.reason
    )
    assert (huawei.actor.kind, huawei.actor.country.iso2, huawei.actor.aliases) == ("company", "CN", ["Huawei"])
    assert "ofac_uid" not in huawei.actor.identifiers
    # No type, but a birth date: a person; the passport's country written out ("Korea, North").
    debarred = Actor.objects.get(name="SAMPLE DEBARRED PARTY (TEST ENTRY)")
    assert (debarred.kind, debarred.country.iso2, debarred.identifiers["passports"]) == (
        "person",
        "KP",
        ["KP:745310010"],
    )
    # A US address that ends with its state names no country (AZ is not Azerbaijan).
    assert Actor.objects.get(name="SAMPLE DENIED PERSON (TEST ENTRY)").country is None


def test_reimporting_the_sample_writes_nothing():
    run(CSL)
    before = row_counts()
    out = run(CSL)
    assert row_counts() == before
    assert "actors.actor: 0 created, 0 updated, 12 unchanged" in out
    assert set(Actor.objects.values_list("version", flat=True)) == {1}


def test_sdn_rows_land_on_the_actors_and_designations_of_the_sdn_import():
    call_command("import_ofac_sdn", str(OFAC_SAMPLE), verbosity=0)
    sdn_actors = Actor.objects.count()
    tanker = Actor.objects.get(identifiers__ofac_uid="47371")
    designations = set(tanker.designations.values_list("regime__code", "reference"))
    out = run(CSL)
    # The six SDN rows are six of the 17 OFAC actors: only the six other lists' entries are new.
    assert Actor.objects.count() == sdn_actors + 6
    assert "matched: US CSL 47371 NS LEADER = ns-leader (NS LEADER; ofac_uid 47371, imo 9339301)" in out
    tanker.refresh_from_db()
    assert (tanker.kind, tanker.imo, tanker.identifiers["us_csl_id"]) == ("vessel", "9339301", "47371")
    assert set(tanker.designations.values_list("regime__code", "reference")) == designations
    assert Designation.objects.filter(reference="47371").count() == 1
    khoroshev = Actor.objects.get(identifiers__ofac_uid="48603")
    assert khoroshev.name == "KHOROSHEV, Dmitry Yuryevich"
    assert khoroshev.identifiers["passports"] == ["RU:2018278055", "RU:2006801524"]
    # Either list again changes nothing.
    before = row_counts()
    call_command("import_ofac_sdn", str(OFAC_SAMPLE), verbosity=0)
    run(CSL)
    assert row_counts() == before


def test_the_csl_first_and_then_the_sdn_files_agree_too():
    run(CSL)
    actors = Actor.objects.count()
    call_command("import_ofac_sdn", str(OFAC_SAMPLE), verbosity=0)
    # The OFAC sample's 17 entries, six of which the CSL already gave.
    assert Actor.objects.count() == actors + 11
    assert Designation.objects.filter(regime__code="US-RUSSIA-EO14024", reference="47371").count() == 1


def test_a_later_version_delists_only_when_it_is_the_whole_list(tmp_path):
    everyone = {row["name"].strip() for row in rows()}
    run(CSL)
    gone = {"FRUNZE", "Huawei Technologies Co., Ltd."}
    second = version(tmp_path, "v2.csv", everyone - gone)
    out = run(second)
    assert "not in this file: 3 designations loaded from an earlier version of the list" in out
    assert len(in_force()) == 13
    out = run(second, "--complete-as-of", "2026-05-01")
    huawei_id = next(r["_id"] for r in rows() if r["name"] == "Huawei Technologies Co., Ltd.")
    assert "delisted: US-SDGT 50972 on 2026-05-01" in out
    assert "delisted: US-IFSR 50972 on 2026-05-01" in out
    assert f"delisted: US-EL {huawei_id} on 2026-05-01" in out
    assert len(in_force()) == 10
    assert Designation.objects.get(regime__code="US-SDGT", reference="50972").delisted_on.isoformat() == "2026-05-01"
    assert Actor.objects.filter(identifiers__ofac_uid="50972").exists()  # kept, never deleted


def test_a_designation_an_editor_entered_is_not_the_lists_to_withdraw(tmp_path):
    run(CSL)
    by_hand = Designation.objects.create(
        regime=Regime.objects.get(code="US-EL"),
        reference="85 FR 0000",
        actor=Actor.objects.create(slug="hand-entered", kind="company", name="Hand-entered company"),
    )
    run(version(tmp_path, "v2.csv", {"P-532"}), "--complete-as-of", "2026-05-01")
    by_hand.refresh_from_db()
    assert by_hand.delisted_on is None
    assert in_force() == [("US-DPRK3", "20540"), ("US-EL", "85 FR 0000")]


def test_the_lists_are_regimes_coded_from_their_abbreviations():
    assert regime_of_source("Non-SDN Menu-Based Sanctions List (NS-MBS List) - Treasury Department")[0] == ("US-NS-MBS")
    assert regime_of_source("Military End User (MEU) List - Bureau of Industry and Security")[0] == "US-MEU"
    assert regime_of_source("Non-SDN Chinese Military-Industrial Complex Companies List (CMIC) - Treasury Department")[
        0
    ] == ("US-NS-CMIC")
    assert regime_of_source("Palestinian Legislative Council List (PLC) - Treasury Department")[0] == "US-PLC"
    assert regime_of_source("Some list - Department") is None


@pytest.mark.parametrize(
    ("name", "change", "message"),
    [
        ("FRUNZE", {"start_date": "18/12/2017"}, "row 6 (%s): start_date: '18/12/2017' is not a date (YYYY-MM-DD)"),
        ("P-532", {"type": "Airplane"}, "row 4 (%s): type: 'Airplane' is not a type of the list"),
        (
            "NS LEADER",
            {"ids": "Identification Number, IMO 9339302"},
            "row 2 (%s): ids: 'IMO 9339302' is not an IMO number (seven digits, the last the check digit)",
        ),
        ("TASCA", {"vessel_flag": "Atlantis"}, "row 7 (%s): vessel_flag: 'Atlantis' is not a country we know"),
        ("P-532", {"entity_number": ""}, "row 4 (%s): entity_number: an SDN entry without its OFAC entry number"),
        ("Huawei Technologies Co., Ltd.", {"source": "Entity List"}, "row 8 (%s): source: 'Entity List' names no"),
    ],
)
def test_a_bad_row_is_reported_by_row_and_column_and_nothing_is_written(tmp_path, capsys, name, change, message):
    everyone = {row["name"].strip() for row in rows()}
    path = version(tmp_path, "bad.csv", everyone, {name: change})
    row_id = next(r["_id"] for r in rows() if r["name"] == name)
    before = row_counts()
    with pytest.raises(CommandError, match="nothing was written"):
        run(path)
    assert f"{path}, {message % row_id}" in capsys.readouterr().err
    assert row_counts() == before


def test_a_missing_column_is_named_and_nothing_is_written(tmp_path, capsys):
    path = tmp_path / "old.csv"
    text = CSL.read_text(encoding="utf-8").replace(",ids\n", "\n", 1)
    path.write_text(text, encoding="utf-8")
    before = row_counts()
    with pytest.raises(CommandError, match="nothing was written"):
        run(path)
    assert f"{path}, header: ids: the column is missing" in capsys.readouterr().err
    assert row_counts() == before


def test_two_rows_with_one_entry_number_are_refused(tmp_path, capsys):
    path = tmp_path / "twice.csv"
    lines = CSL.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([*lines, lines[1].replace(lines[1][:40], "f" * 40)]) + "\n", encoding="utf-8")
    with pytest.raises(CommandError, match="nothing was written"):
        run(path)
    assert "row 14 (ffffffffffffffffffffffffffffffffffffffff): entity_number: 47371 is already at row 2" in (
        capsys.readouterr().err
    )


@st.composite
def odd_csl(draw):
    """The sample with any text in one cell, or its bytes truncated or garbled."""
    table = [list(COLUMNS), *([row[column] for column in COLUMNS] for row in rows())]
    if draw(st.booleans()):
        table[draw(st.integers(1, len(table) - 1))][draw(st.integers(0, len(COLUMNS) - 1))] = draw(NASTY_TEXT)
        out = io.StringIO(newline="")
        csv.writer(out).writerows(table)
        return out.getvalue().encode("utf-8", "backslashreplace")
    return draw(garbled(CSL.read_bytes()))


@fuzz(30)
@given(data=odd_csl())
def test_any_odd_file_loads_or_is_refused_whole_naming_where(data):
    with rolled_back() as before:
        report = import_list("us-csl", data, name="csl.csv")
        if not report.ok:
            assert_refused_whole(report, before)
            assert_errors_located(report, {"csl.csv"})


def test_one_ofac_entry_on_the_sdn_and_a_non_sdn_list_is_one_actor_designated_on_both(tmp_path):
    path = tmp_path / "both.csv"
    lines = CSL.read_text(encoding="utf-8").splitlines()
    dialog = next(line for line in lines if ",50544," in line)
    mbs = "Non-SDN Menu-Based Sanctions List (NS-MBS List) - Treasury Department"
    also = dialog.replace("Specially Designated Nationals (SDN) - Treasury Department", mbs).replace(
        dialog[:40], "e" * 40
    )
    path.write_text("\n".join([*lines, also]) + "\n", encoding="utf-8")
    out = run(path)
    assert "actors.actor: 12 created" in out
    dialog = Actor.objects.get(identifiers__us_csl_id="50544")
    assert dialog.identifiers["ofac_uid"] == "50544"
    assert sorted(dialog.designations.values_list("regime__code", "reference")) == [
        ("US-NS-MBS", "50544"),
        ("US-RUSSIA-EO14024", "50544"),
    ]
