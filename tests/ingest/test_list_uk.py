"""import_list uk on three successive versions of a sample of OFSI's consolidated list
(tests/data/uk/): what each target becomes, re-imports, delisting and relisting, the XLSX
form, the UN person the UK list cites, and malformed files."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from apps.actors.models import Actor
from apps.ingest.services import lists_uk
from apps.ingest.services.countries import CountryResolver
from apps.ingest.services.lists import import_list
from apps.ingest.services.un import import_un_list
from apps.sanctions.models import Authority, Designation, Regime
from tests.conftest import LIST_SAMPLES, UN_SAMPLE
from tests.ingest.conftest import row_counts

pytestmark = pytest.mark.django_db

UK = LIST_SAMPLES / "uk"
V1, V2, V3 = (UK / f"ConList-{version}.csv" for version in ("v1", "v2", "v3"))


def run(path, *args):
    call_command("import_list", "uk", str(path), *args, verbosity=0)


def designations(actor):
    return sorted(actor.designations.values_list("regime__code", "reference", "delisted_on"))


def in_force():
    return sorted(Designation.objects.filter(delisted_on__isnull=True).values_list("regime__code", "reference"))


def test_the_first_version_makes_one_actor_and_designation_per_group_id(capsys):
    call_command("import_list", "uk", str(V1))
    out = capsys.readouterr().out
    assert "actors.actor: 5 created, 0 updated, 0 unchanged" in out
    assert "sanctions.designation: 5 created, 0 updated, 0 unchanged" in out
    uk = Authority.objects.get(code="UK")
    assert (uk.kind, uk.country.iso2) == ("national", "GB")
    assert sorted(Regime.objects.values_list("code", "name", "target_country__iso2", "authority__code")) == [
        ("UK-DPRK", "UK sanctions: Democratic People's Republic of Korea", "KP", "UK"),
        ("UK-RUSSIA", "UK sanctions: Russia", "RU", "UK"),
    ]
    assert Actor.objects.count() == 5 and Designation.objects.count() == 5

    # Two rows (name variations) of Group ID 90101: one person; the UN reference it cites kept.
    ri = Actor.objects.get(identifiers__uk_ref="90101")
    assert (ri.name, ri.kind, ri.country.iso2, ri.aliases) == ("Won Ho RI", "person", "KP", ["Won-ho RI"])
    assert ri.identifiers == {
        "uk_ref": "90101",
        "uk_list_ref": "DPR9001",
        "un_ref": "KPi.033",
        "birth_dates": ["1964-07-17"],
        "passports": ["KP:381310014"],
    }
    assert ri.role == "DPRK Ministry of State Security Official"
    listing = ri.designations.get()
    assert (listing.regime.code, listing.reference, listing.listed_on.isoformat()) == ("UK-DPRK", "90101", "2016-11-30")
    assert listing.reason.startswith("(UK Sanctions List Ref):DPR9001 (UN Ref):KPi.033 Ri Won Ho is")

    timchenko = Actor.objects.get(identifiers__uk_ref="90104")
    assert (timchenko.name, timchenko.country.iso2) == ("Gennady Nikolayevich TIMCHENKO", "RU")
    assert timchenko.aliases == ["Геннадий Николаевич ТИМЧЕНКО", "Gennadiy Nikolayevich TIMCHENKO"]
    assert timchenko.identifiers["birth_places"] == ["Leninakan, Armenia"]
    assert timchenko.identifiers["birth_dates"] == ["1952-11-09"]
    # No passport number on the list: no passport identifier.
    assert "passports" not in timchenko.identifiers

    bank = Actor.objects.get(identifiers__uk_ref="90105")
    assert (bank.name, bank.kind, bank.country.iso2) == ("BANK ROSSIYA", "company", "RU")
    assert bank.aliases == ["JOINT STOCK COMPANY BANK ROSSIYA"]
    assert bank.identifiers["addresses"] == ["2 Pl. Rastrelli, Liter A, St Petersburg, 191124, Russia"]
    assert bank.designations.get().regime.code == "UK-RUSSIA"


def test_ships_are_vessels_with_their_imo_number_and_flag():
    run(V1)
    # IMO number and flag in brackets: "(IMO number):8660313 (Current believed flag of ship):…".
    chon = Actor.objects.get(identifiers__uk_ref="90102")
    assert (chon.name, chon.kind, chon.imo, chon.identifiers["imo"]) == ("CHON MA SAN", "vessel", "8660313", "8660313")
    assert chon.flags == [{"country": "KP", "from": None, "to": None}]
    assert chon.country.iso2 == "KP"
    # Written out: "IMO 8898740. Current believed flag of ship: Democratic People's Republic of Korea."
    ji_song = Actor.objects.get(identifiers__uk_ref="90103")
    assert (ji_song.kind, ji_song.imo, ji_song.flags) == (
        "vessel",
        "8898740",
        [{"country": "KP", "from": None, "to": None}],
    )


def test_reimporting_a_version_writes_nothing():
    run(V1)
    before = row_counts()
    report = import_list("uk", V1.read_bytes(), name=V1.name)
    assert report.ok
    assert (report.totals().created, report.totals().updated) == (0, 0)
    assert row_counts() == before
    assert set(Actor.objects.values_list("version", flat=True)) == {1}


def test_a_newer_version_updates_delists_what_it_dropped_and_a_later_one_relists(capsys):
    run(V1)
    capsys.readouterr()
    call_command("import_list", "uk", str(V2))
    out = capsys.readouterr().out
    # v2 (Last Updated 12/02/2024) drops JI SONG 6 and gives Bank Rossiya one more name.
    assert "delisted: UK-DPRK 90103 on 2024-02-12" in out
    ji_song = Actor.objects.get(identifiers__uk_ref="90103")  # kept, never deleted
    assert designations(ji_song)[0][2].isoformat() == "2024-02-12"
    bank = Actor.objects.get(identifiers__uk_ref="90105")
    assert bank.aliases == ["JOINT STOCK COMPANY BANK ROSSIYA", "AB ROSSIYA"]
    assert bank.version == 2
    assert len(in_force()) == 4

    # v3 lists JI SONG 6 again and adds Boris Rotenberg.
    run(V3)
    assert designations(ji_song) == [("UK-DPRK", "90103", None)]
    rotenberg = Actor.objects.get(identifiers__uk_ref="90106")
    assert (rotenberg.name, rotenberg.aliases) == ("Boris Romanovich ROTENBERG", ["Борис Романович РОТЕНБЕРГ"])
    assert len(in_force()) == 6 and Actor.objects.count() == 6
    assert Designation.objects.count() == 6


def test_a_dry_run_reports_the_changes_and_writes_nothing(capsys):
    run(V1)
    before = row_counts()
    capsys.readouterr()
    call_command("import_list", "uk", str(V2), "--dry-run")
    out = capsys.readouterr().out
    assert "delisted: UK-DPRK 90103 on 2024-02-12" in out
    # v2 carries four of the five actors (JI SONG 6 left it): Bank Rossiya's new name is the change.
    assert "actors.actor: 0 would create, 1 would update, 3 unchanged" in out
    assert "sanctions.designation: 0 would create, 1 would update, 4 unchanged" in out
    assert "Dry run: nothing was written." in out
    assert row_counts() == before


def test_the_xlsx_workbook_reads_as_the_csv_does():
    """ConList.xlsx is ConList-v1.csv as a workbook (tests/data/uk/make_xlsx.py): dates as date
    cells, Group IDs and passport numbers as numbers."""
    countries = CountryResolver()
    from_csv = lists_uk.parse(V1.read_bytes(), "ConList", countries=countries)
    from_xlsx = lists_uk.parse((UK / "ConList.xlsx").read_bytes(), "ConList", countries=countries)
    assert not from_xlsx.errors
    assert from_xlsx == from_csv
    assert len(from_xlsx.entries) == 5 and from_xlsx.as_of.isoformat() == "2024-01-15"


def test_the_un_person_the_uk_list_cites_is_one_actor_with_both_designations(capsys):
    import_un_list(UN_SAMPLE.read_bytes(), name="un.xml")
    ri = Actor.objects.get(identifiers__un_ref="KPi.033")
    actors = Actor.objects.count()
    call_command("import_list", "uk", str(V1))
    assert "matched: UK 90101 Won Ho RI = ri-won-ho (RI WON HO; un_ref KPi.033" in capsys.readouterr().out
    assert Actor.objects.count() == actors + 4
    ri.refresh_from_db()
    # The UN's actor keeps its name; it gains the UK's names and identifiers.
    assert ri.name == "RI WON HO"
    assert (ri.identifiers["uk_ref"], ri.identifiers["passports"]) == ("90101", ["KP:381310014"])
    assert designations(ri) == [("UK-DPRK", "90101", None), ("UN-1718", "KPi.033", None)]
    # Both lists again: nothing changes.
    before = row_counts()
    import_un_list(UN_SAMPLE.read_bytes(), name="un.xml")
    run(V1)
    assert row_counts() == before


def rewritten(tmp_path, *, row=None, column, value=None, drop=False):
    """ConList-v3.csv with one cell (``row``: the file's row number) set to ``value``, or with
    ``column`` dropped from the header."""
    rows = list(csv.reader(io.StringIO(V3.read_text(encoding="utf-8"))))
    index = rows[1].index(column)
    if drop:
        rows[1][index] = "Programme"
    else:
        rows[row - 1][index] = value
    path = tmp_path / "ConList.csv"
    with path.open("w", encoding="utf-8", newline="") as file:
        csv.writer(file).writerows(rows)
    return path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"row": 12, "column": "Listed On", "value": "31/02/2022"},
            "ConList.csv, row 12 (Group ID 90106): Listed On: '31/02/2022' is not a date (dd/mm/yyyy)",
        ),
        (
            {"row": 6, "column": "Group Type", "value": "Boat"},
            "ConList.csv, row 6 (Group ID 90103): Group Type: 'Boat' is not Individual, Entity or Ship",
        ),
        (
            {
                "row": 5,
                "column": "Other Information",
                "value": "(UK Sanctions List Ref):DPR9002 (IMO number):8660314 (Current believed flag of ship):Panama",
            },
            "ConList.csv, row 5 (Group ID 90102): Other Information: '8660314' is not an IMO number",
        ),
        (
            {"row": 2, "column": "Regime", "drop": True},
            "ConList.csv, row 2: Regime: the header has no column 'Regime'",
        ),
    ],
    ids=["bad date", "bad group type", "bad IMO check digit", "missing column"],
)
def test_a_bad_row_is_reported_by_row_and_column_and_nothing_is_written(tmp_path, capsys, change, message):
    run(V1)
    before = row_counts()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_list", "uk", str(rewritten(tmp_path, **change)))
    assert message in capsys.readouterr().err
    assert row_counts() == before
    assert not Actor.objects.filter(identifiers__uk_ref="90106").exists()


def write_list(tmp_path, rows, date="01/04/2024"):
    """A file in the list's layout holding ``rows`` (dicts by column)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Last Updated", date])
    writer.writerow(lists_uk.COLUMNS)
    writer.writerows([row.get(column, "") for column in lists_uk.COLUMNS] for row in rows)
    path = tmp_path / "ConList.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def test_a_ships_previous_flags_and_names_and_a_cited_un_reference_written_out(tmp_path):
    """Test-only targets: a ship (no IMO number) with its former flags and names, its Group Type
    in odd case and spacing, and a person citing its UN reference as "UN Ref KPi.001"."""
    ship = {
        "Name 6": "TEST TANKER",
        "Other Information": (
            "(UK Sanctions List Ref):TST0001 (Current believed flag of ship):Cameroon "
            "(Previous flags):(1) Russia (2) Panama (Previous names):TEST TANKER ONE; TEST TANKER TWO"
        ),
        "Group Type": "  SHIP ",
        "Alias Type": "Primary name",
        "Regime": "Russia",
        "Listed On": "01/03/2024",
        "Group ID": "99001",
    }
    person = {
        "Name 6": "PERSON",
        "Name 1": "Test",
        "Nationality": "Democratic People's Republic of Korea",
        "Passport Number": "(1) 12 345 (2) 678",
        "Passport Details": "(1) Issued in Russia",
        "Other Information": "Test entry, UN Ref KPi.001.",
        "Group Type": "Individual",
        "Alias Type": "Primary name",
        "Regime": "Global Human Rights",
        "Listed On": "01/03/2024",
        "Group ID": "99002",
    }
    run(write_list(tmp_path, [ship, person]))
    tanker = Actor.objects.get(identifiers__uk_ref="99001")
    assert (tanker.kind, tanker.imo, tanker.country.iso2) == ("vessel", "", "CM")
    assert tanker.flags == [
        {"country": "CM", "from": None, "to": None},
        {"country": "RU", "from": None, "to": None, "previous": True},
        {"country": "PA", "from": None, "to": None, "previous": True},
    ]
    assert tanker.aliases == ["TEST TANKER ONE", "TEST TANKER TWO"]
    test_person = Actor.objects.get(identifiers__uk_ref="99002")
    assert test_person.identifiers["un_ref"] == "KPi.001"
    # The details name the issuing country.
    assert test_person.identifiers["passports"] == ["RU:12345", "RU:678"]
    regime = Regime.objects.get(code="UK-GLOBAL-HUMAN-RIGHTS")
    assert (regime.name, regime.target_country) == ("UK sanctions: Global Human Rights", None)


def test_a_file_that_is_not_the_list_is_refused_naming_what_is_wrong(tmp_path, capsys):
    broken = tmp_path / "ConList.xlsx"
    broken.write_bytes(b"PK\x03\x04 not a workbook")
    headerless = tmp_path / "other.csv"
    headerless.write_text("Name,Country\nKOMID,KP\n", encoding="utf-8")
    for path in (broken, headerless):
        with pytest.raises(CommandError, match="nothing was written"):
            run(path)
    err = capsys.readouterr().err
    assert "ConList.xlsx: not a readable XLSX workbook" in err
    assert "other.csv, row 1: Last Updated: the first row is not 'Last Updated,<date>'" in err
    assert "other.csv, row 2: Group ID: the header has no column 'Group ID'" in err
    assert Actor.objects.count() == 0
