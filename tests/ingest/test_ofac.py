"""import_ofac_sdn on a sample of OFAC's files (tests/data/ofac/), re-imports, malformed CSV
and the same actor on the UN and OFAC lists."""

import shutil

import pytest
from django.core.management import CommandError, call_command

from apps.actors.models import Actor, MatchProposal
from apps.ingest.services.un import import_un_list
from apps.sanctions.models import Authority, Designation, Regime
from tests.conftest import OFAC_SAMPLE, UN_SAMPLE
from tests.ingest.conftest import DATA, row_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def ofac_dir():
    """The sample's files (read where they are; the directory only names them): 17 entries of
    OFAC's sdn.csv with their rows of add.csv, alt.csv and sdn_comments.csv."""
    return OFAC_SAMPLE


def run(*args):
    call_command("import_ofac_sdn", *[str(a) for a in args], verbosity=0)


def test_sample_loads_with_aliases_addresses_and_a_regime_per_program(ofac_dir, django_user_model):
    user = django_user_model.objects.create_user(username="loader")
    run(ofac_dir, "--user", user.username)
    us = Authority.objects.get(code="US")
    assert (us.kind, us.country.iso2) == ("national", "US")
    hesa = Actor.objects.get(identifiers__ofac_uid="11195")
    assert (hesa.name, hesa.kind, hesa.country.iso2) == (
        "IRAN AIRCRAFT MANUFACTURING INDUSTRIAL COMPANY",
        "company",
        "IR",
    )
    assert hesa.aliases == [
        "HESA TRADE CENTER",
        "IRAN AIRCRAFT MANUFACTURING INDUSTRIES",
        "IRAN AIRCRAFT MANUFACTURING COMPANY",
        "KARKHANEJATE SANAYE HAVAPAYMAIE IRAN",
    ]
    assert hesa.identifiers["addresses"][0] == (
        "P.O. Box 83145-311, 28 km Esfahan - Tehran Freeway, Shahin Shahr, Esfahan, Iran"
    )
    assert len(hesa.identifiers["addresses"]) == 5
    # "NPWMD] [IFSR] [IRAN-CON-ARMS-EO": one designation under each program, referenced by entry number.
    assert sorted(hesa.designations.values_list("regime__code", "reference")) == [
        ("US-IFSR", "11195"),
        ("US-IRAN-CON-ARMS-EO", "11195"),
        ("US-NPWMD", "11195"),
    ]
    assert hesa.designations.first().reason.startswith("Additional Sanctions Information")
    assert Regime.objects.get(code="US-DPRK3").target_country.iso2 == "KP"
    assert Regime.objects.get(code="US-RUSSIA-EO14024").target_country.iso2 == "RU"
    assert Regime.objects.get(code="US-SDGT").target_country is None
    assert Designation.objects.filter(regime__code="US-RUSSIA-EO14024").count() == 2
    khoroshev = Actor.objects.get(identifiers__ofac_uid="48603")
    assert khoroshev.kind == "person" and khoroshev.country.iso2 == "RU"
    assert "KHOROSHEV, Dmitriy Yurevich" in khoroshev.aliases
    tanker = Actor.objects.get(identifiers__ofac_uid="47371")
    assert (tanker.kind, tanker.country.iso2, tanker.identifiers["imo"]) == ("vessel", "GA", "9339301")
    aircraft = Actor.objects.get(identifiers__ofac_uid="20540")
    assert (aircraft.name, aircraft.kind) == ("P-532", "aircraft")
    # sdn_comments.csv continues the remarks that sdn.csv cut off mid-word.
    suex = Designation.objects.get(reference="33151").reason
    assert "XBT 1B64QRxfaa35MVkf7sDjuGUYAP5izQt7Qi; Digital Currency Address - ETH" in suex
    assert Actor.objects.count() == 17
    assert hesa.history.get().history_user == user and hesa.created_by == user


def test_reimporting_the_sample_changes_nothing(ofac_dir):
    run(ofac_dir)
    before = row_counts()
    run(ofac_dir)
    assert row_counts() == before
    assert set(Actor.objects.values_list("version", flat=True)) == {1}


def test_rows_of_entries_missing_from_sdn_csv_are_reported_as_skipped(ofac_dir, capsys):
    call_command("import_ofac_sdn", str(ofac_dir))
    assert "skipped: " in capsys.readouterr().out
    # add.csv line 12 names entry 12562, which the sample's sdn.csv does not hold.
    assert not Actor.objects.filter(identifiers__ofac_uid="12562").exists()


@pytest.mark.parametrize(
    ("folder", "message"),
    [
        (
            "ofac_bad_columns",
            "ofac_bad_columns/sdn.csv, line 2: the row has 11 fields, ",
        ),
        ("ofac_bad_number", "ofac_bad_number/sdn.csv, line 2: ent_num: 'ent_num' is not an OFAC number"),
    ],
)
def test_malformed_csv_is_reported_by_file_line_and_field_and_nothing_is_written(folder, message, capsys):
    before = row_counts()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_ofac_sdn", str(DATA / folder / "sdn.csv"))
    assert message in capsys.readouterr().err
    assert row_counts() == before


def test_a_file_that_is_not_an_ofac_file_is_refused(tmp_path):
    other = tmp_path / "transfers.transfer.csv"
    other.write_text("reference\n", encoding="utf-8")
    with pytest.raises(CommandError, match="not one of OFAC's sdn.csv"):
        run(other)


def test_an_actor_on_the_un_and_ofac_lists_by_name_only_is_proposed_to_an_editor_not_merged(tmp_path, capsys):
    import_un_list(UN_SAMPLE.read_bytes(), name="un.xml")
    komid = Designation.objects.get(reference="KPe.001").actor
    actors_before = Actor.objects.count()
    files = tmp_path / "ofac"
    shutil.copytree(DATA / "ofac_komid", files)
    call_command("import_ofac_sdn", str(files))
    out = capsys.readouterr().out
    assert (
        "proposed: OFAC 90001 KOREA MINING DEVELOPMENT TRADING CORPORATION ~ "
        "korea-mining-development-trading-corporation (KOREA MINING DEVELOPMENT TRADING CORPORATION; "
        "un_ref KPe.001, un_dataid 690735): same name; left apart for an editor"
    ) in out
    # Only an alias in common with KPe.002: proposed as well, with its reason.
    assert "proposed: OFAC 90002 LYONGAKSAN TRADING FRONT ~ korea-ryonbong-general-corporation" in out
    assert "an alias in common only; left apart" in out
    # Names alone merge nothing: each OFAC entry is an actor of its own, and two proposals wait.
    assert Actor.objects.count() == actors_before + 2
    proposals = {(p.candidate.slug, p.reason, p.listed_as, p.status) for p in MatchProposal.objects.all()}
    assert proposals == {
        (komid.slug, "same name", "OFAC 90001", "proposed"),
        ("korea-ryonbong-general-corporation", "an alias in common only", "OFAC 90002", "proposed"),
    }
    assert sorted(komid.designations.values_list("regime__code", "reference")) == [("UN-1718", "KPe.001")]
    entry = MatchProposal.objects.get(listed_as="OFAC 90001").actor
    assert (entry.identifiers["ofac_uid"], entry.name) == ("90001", komid.name)
    # Both lists again, in either order: nothing changes, and nothing is proposed twice.
    before = row_counts()
    import_un_list(UN_SAMPLE.read_bytes(), name="un.xml")
    call_command("import_ofac_sdn", str(files), verbosity=0)
    assert row_counts() == before
    assert MatchProposal.objects.count() == 2


def sdn_version(tmp_path, name, lines):
    """A version of the small KOMID list with ``lines`` as its sdn.csv."""
    folder = tmp_path / name
    shutil.copytree(DATA / "ofac_komid", folder)
    (folder / "sdn.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


KOMID = (
    '90001,"KOREA MINING DEVELOPMENT TRADING CORPORATION",-0- ,"{programs}",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
    '"Test entry in OFAC\'s format."'
)
FRONT = '90002,"LYONGAKSAN TRADING FRONT",-0- ,"DPRK3",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"Test entry."'


def in_force():
    return sorted(Designation.objects.filter(delisted_on__isnull=True).values_list("regime__code", "reference"))


def test_a_complete_list_marks_what_it_no_longer_carries_delisted_on_its_date_and_relists(tmp_path, capsys):
    first = sdn_version(tmp_path, "v1", [KOMID.format(programs="DPRK] [NPWMD"), FRONT])
    run(first)
    # A designation an editor entered by hand under a US regime: not the list's to withdraw.
    by_hand = Designation.objects.create(
        regime=Regime.objects.get(code="US-DPRK3"),
        reference="EO13687-2015",
        actor=Actor.objects.create(slug="hand-entered", kind="organization", name="Hand-entered front"),
    )
    # The next list drops entry 90002 and KOMID's NPWMD program.
    second = sdn_version(tmp_path, "v2", [KOMID.format(programs="DPRK")])
    call_command("import_ofac_sdn", str(second), "--complete-as-of", "2026-04-01")
    out = capsys.readouterr().out
    assert "delisted: US-DPRK3 90002 on 2026-04-01" in out
    assert "delisted: US-NPWMD 90001 on 2026-04-01" in out
    assert in_force() == [("US-DPRK", "90001"), ("US-DPRK3", "EO13687-2015")]
    front = Designation.objects.get(regime__code="US-DPRK3", reference="90002")
    assert front.delisted_on.isoformat() == "2026-04-01"
    assert Actor.objects.filter(identifiers__ofac_uid="90002").exists()  # kept, never deleted
    by_hand.refresh_from_db()
    assert by_hand.delisted_on is None

    # Importing the same complete list again changes nothing; the first list relists both.
    before = row_counts()
    run(second, "--complete-as-of", "2026-04-01")
    assert row_counts() == before
    run(first, "--complete-as-of", "2026-05-01")
    assert in_force() == [
        ("US-DPRK", "90001"),
        ("US-DPRK3", "90002"),
        ("US-DPRK3", "EO13687-2015"),
        ("US-NPWMD", "90001"),
    ]


def test_without_the_list_date_an_excerpt_delists_nothing_and_says_what_it_left_out(tmp_path, capsys):
    run(sdn_version(tmp_path, "v1", [KOMID.format(programs="DPRK] [NPWMD"), FRONT]))
    call_command("import_ofac_sdn", str(sdn_version(tmp_path, "excerpt", [FRONT])))
    assert "not in these files: 2 designations loaded from an earlier SDN list" in capsys.readouterr().out
    assert len(in_force()) == 3


def test_a_list_date_that_is_not_a_date_is_refused(tmp_path):
    with pytest.raises(CommandError, match="'April' is not a date"):
        call_command("import_ofac_sdn", str(DATA / "ofac_komid"), "--complete-as-of", "April")


def test_a_dry_run_of_a_complete_list_reports_the_delistings_and_writes_nothing(tmp_path, capsys):
    run(sdn_version(tmp_path, "v1", [KOMID.format(programs="DPRK] [NPWMD"), FRONT]))
    before = row_counts()
    call_command(
        "import_ofac_sdn", str(sdn_version(tmp_path, "v2", [FRONT])), "--complete-as-of", "2026-04-01", "--dry-run"
    )
    out = capsys.readouterr().out
    assert "delisted: US-DPRK 90001 on 2026-04-01" in out and "delisted: US-NPWMD 90001 on 2026-04-01" in out
    assert "sanctions.designation: 0 would create, 2 would update, 1 unchanged" in out
    assert row_counts() == before and len(in_force()) == 3


def test_a_weekly_reimport_that_changes_one_entry_writes_only_that_entry(tmp_path):
    first = sdn_version(tmp_path, "v1", [KOMID.format(programs="DPRK"), FRONT])
    run(first)
    before = row_counts()
    versions = dict(Designation.objects.values_list("reference", "version"))
    amended = FRONT.replace('"Test entry."', '"Test entry, amended."')
    run(sdn_version(tmp_path, "v2", [KOMID.format(programs="DPRK"), amended]))
    after = row_counts()
    # One designation's reason changed: one update, one history row, nothing else written.
    assert {label: after[label] - before[label] for label in after if after[label] != before[label]} == {
        "sanctions.designation history": 1
    }
    assert dict(Designation.objects.values_list("reference", "version")) == {**versions, "90002": versions["90002"] + 1}
    assert Designation.objects.get(reference="90002").reason.endswith("amended.")


def test_a_vessel_carries_its_imo_number_and_flag_and_a_person_their_passports(ofac_dir):
    run(ofac_dir)
    leader = Actor.objects.get(identifiers__ofac_uid="47371")
    assert (leader.kind, leader.imo, leader.flags) == (
        "vessel",
        "9339301",
        [{"country": "GA", "from": None, "to": None}],
    )
    assert Actor.objects.filter(imo="9339301").count() == 1
    khoroshev = Actor.objects.get(identifiers__ofac_uid="48603")
    assert khoroshev.identifiers["passports"] == ["RU:2018278055", "RU:2006801524"]


def test_an_entry_with_the_passport_of_a_un_listed_person_is_that_person(tmp_path, capsys):
    """A passport number with its country is a strong identifier: the SDN entry is attached to
    the UN's actor though its name is written differently."""
    import_un_list(UN_SAMPLE.read_bytes(), name="un.xml")
    injai = Designation.objects.get(reference="GBi.005").actor
    assert injai.identifiers["passports"] == ["GW:AAID00435"]
    folder = sdn_version(
        tmp_path,
        "passport",
        [
            '90003,"INJAI, Antonio","individual","GUINEA-BISSAU",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
            '"Test entry written for sanctionsdb\'s matching tests; Passport AAID00435 (Guinea-Bissau)."'
        ],
    )
    call_command("import_ofac_sdn", str(folder))
    assert "(same passports GW:AAID00435)" in capsys.readouterr().out
    injai.refresh_from_db()
    assert sorted(injai.designations.values_list("regime__code", "reference")) == [
        ("UN-2048", "GBi.005"),
        ("US-GUINEA-BISSAU", "90003"),
    ]
    assert "INJAI, Antonio" in injai.aliases
    assert not MatchProposal.objects.exists()
