"""import_un_votes (the UN Digital Library's voting data) and import_vetoes (the Library's veto
list) on small files in the real layouts, with real resolutions and vetoes."""

import csv

import pytest
from django.core.management import CommandError, call_command

from apps.geo.models import Country
from apps.ingest.services.un_votes import import_un_votes, import_vetoes, parse_meeting
from apps.resolutions.models import Resolution, Vote
from tests.conftest import LIST_SAMPLES
from tests.ingest.conftest import row_counts

pytestmark = pytest.mark.django_db

DATA = LIST_SAMPLES / "un_votes"
VOTES = DATA / "sc_votes.csv"
VETOES = DATA / "vetoes.csv"


def votes_of(symbol):
    return dict(Vote.objects.filter(resolution__symbol=symbol).values_list("country__iso2", "position"))


def with_row(path, line, column, value):
    """The file's text with one cell of data row ``line`` (the header is row 1) replaced."""
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    cells = next(csv.reader([lines[line - 1]]))
    cells[header.index(column)] = value
    lines[line - 1] = ",".join(f'"{cell}"' if "," in cell else cell for cell in cells)
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_security_council_rows_load_with_every_members_vote():
    report = import_un_votes(VOTES.read_bytes(), name="sc_votes.csv")
    assert report.ok, report.errors
    assert report.counts["resolutions.resolution"].created == 3
    assert report.counts["resolutions.vote"].created == 15 + 11
    assert "skipped 2 row(s) of 1 resolution(s) not of the Security Council" in report.notes
    assert not Resolution.objects.filter(symbol__startswith="A/").exists()

    r1718 = Resolution.objects.get(symbol="S/RES/1718 (2006)")
    assert (r1718.number, r1718.outcome, r1718.body) == (1718, "adopted", "security_council")
    assert (r1718.voted_on.isoformat(), r1718.meeting) == ("2006-10-14", "S/PV.5551")
    assert r1718.title == "Non-proliferation/Democratic People's Republic of Korea"
    assert r1718.url == "https://undocs.org/S/RES/1718(2006)"
    assert not r1718.adopted_without_vote
    assert r1718.tally == "15–0–0" and set(votes_of(r1718.symbol)) >= {"RU", "CN", "TZ", "SK"}

    # 1950: the Soviet Union absent, Egypt, India and Yugoslavia abstaining.
    r84 = Resolution.objects.get(number=84)
    assert r84.symbol == "S/RES/84 (1950)" and r84.meeting == "S/PV.476"
    votes = votes_of(r84.symbol)
    assert votes["SU"] == "absent" and votes["YU"] == "abstain" and votes["EG"] == "abstain"
    assert r84.tally == "7–0–3"

    # Adopted without a vote: marked so, and no member's vote recorded; the bare meeting number.
    r1999 = Resolution.objects.get(number=1999)
    assert r1999.adopted_without_vote and r1999.meeting == "S/PV.6582"
    assert not r1999.votes.exists()


def test_historical_states_are_added_under_their_former_codes():
    assert not Country.objects.filter(iso2__in=["SU", "YU"]).exists()
    report = import_un_votes(VOTES.read_bytes(), name="sc_votes.csv")
    assert report.counts["geo.country"].created == 2
    soviet = Country.objects.get(iso2="SU")
    assert (soviet.iso3, soviet.name, soviet.sc_permanent_member) == ("SUN", "Soviet Union", True)
    assert Country.objects.get(iso2="YU").iso3 == "YUG"


def test_reimporting_the_same_file_changes_nothing():
    import_un_votes(VOTES.read_bytes(), name="sc_votes.csv")
    before = row_counts()
    report = import_un_votes(VOTES.read_bytes(), name="sc_votes.csv")
    assert report.ok and report.totals().created == 0 and report.totals().updated == 0
    assert not [note for note in report.notes if "remove" in note]
    assert row_counts() == before


def test_a_corrected_file_updates_a_vote_and_removes_one_it_no_longer_lists():
    import_un_votes(VOTES.read_bytes(), name="sc_votes.csv")
    # Row 3 is China on 1718: now an abstention. Argentina's row (2) is gone.
    lines = with_row(VOTES, 3, "ms_vote", "A").decode("utf-8").splitlines()
    corrected = ("\n".join(lines[:1] + lines[2:]) + "\n").encode("utf-8")
    report = import_un_votes(corrected, name="corrected.csv")
    assert report.ok, report.errors
    assert report.counts["resolutions.vote"].updated == 1
    assert "removed 1 vote(s) the file no longer lists: S/RES/1718 (2006) AR" in report.notes
    votes = votes_of("S/RES/1718 (2006)")
    assert votes["CN"] == "abstain" and "AR" not in votes and len(votes) == 14
    # A resolution the file does not carry keeps its votes.
    assert len(votes_of("S/RES/84 (1950)")) == 11


@pytest.mark.parametrize(
    ("line", "column", "value"),
    [(5, "ms_code", "XXX"), (6, "date", "2006-13-45"), (7, "ms_vote", "Maybe"), (8, "meeting", "A/61/PV.1")],
)
def test_a_bad_row_is_named_by_row_and_column_and_nothing_is_written(line, column, value):
    before = row_counts()
    report = import_un_votes(with_row(VOTES, line, column, value), name="bad.csv")
    assert not report.ok
    [error] = report.errors
    assert str(error).startswith(f"bad.csv, row {line}: {column}: ")
    assert value in str(error)
    assert row_counts() == before


def test_the_command_reports_the_error_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(with_row(VOTES, 4, "ms_code", "ZZZ"))
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_un_votes", str(bad), verbosity=0)
    assert not Resolution.objects.filter(number=1718).exists()


def test_a_missing_column_is_reported():
    data = VOTES.read_bytes().replace(b"ms_vote", b"vote", 1)
    report = import_un_votes(data, name="old.csv")
    assert [str(e) for e in report.errors] == ["old.csv, row 1: missing column(s): ms_vote"]


def test_a_dry_run_writes_nothing(capsys):
    before = row_counts()
    call_command("import_un_votes", str(VOTES), "--dry-run")
    out = capsys.readouterr().out
    assert "resolutions.vote: 26 would create" in out and "Dry run: nothing was written." in out
    assert row_counts() == before


def test_a_file_without_bom_and_with_added_columns_loads():
    text = VOTES.read_text(encoding="utf-8-sig").splitlines()
    text = [line + (",modality" if i == 0 else ",") for i, line in enumerate(text)]
    report = import_un_votes(("\n".join(text) + "\n").encode("utf-8"), name="newer.csv")
    assert report.ok, report.errors
    assert Vote.objects.count() == 26


def test_meeting_records_are_written_one_way():
    assert parse_meeting("S/PV.5551") == "S/PV.5551"
    assert parse_meeting("5551") == "S/PV.5551"
    assert parse_meeting("S/PV.5551 (Resumption 1)") == "S/PV.5551 (Resumption 1)"
    assert parse_meeting("A/61/PV.1") is None


# -- vetoes ------------------------------------------------------------------------------------


def test_vetoes_load_as_vetoed_drafts_with_no_votes_by_permanent_members():
    report = import_vetoes(VETOES.read_bytes(), name="vetoes.csv")
    assert report.ok, report.errors
    assert report.counts["resolutions.resolution"].created == 3
    draft = Resolution.objects.get(symbol="S/2022/431")
    assert (draft.outcome, draft.number, draft.meeting) == ("vetoed", None, "S/PV.9048")
    assert draft.voted_on.isoformat() == "2022-05-26"
    assert draft.title == "Non-proliferation - Democratic People's Republic of Korea"
    assert votes_of("S/2022/431") == {"CN": "no", "RU": "no"}
    assert votes_of("S/2024/255") == {"RU": "no"}
    # The first veto: no draft symbol of its own, the meeting record is its symbol.
    first = Resolution.objects.get(symbol="S/PV.23")
    assert first.voted_on.isoformat() == "1946-02-16" and first.meeting == "S/PV.23"
    assert votes_of("S/PV.23") == {"SU": "no"}
    vetoes = set(Vote.objects.vetoes().values_list("resolution__symbol", "country__iso2"))
    assert vetoes == {("S/2022/431", "CN"), ("S/2022/431", "RU"), ("S/2024/255", "RU"), ("S/PV.23", "SU")}
    assert all(vote.is_veto for vote in Vote.objects.all())
    before = row_counts()
    again = import_vetoes(VETOES.read_bytes(), name="vetoes.csv")
    assert again.totals().created == 0 and again.totals().updated == 0
    assert row_counts() == before


def test_several_drafts_of_one_meeting_without_a_symbol_keep_symbols_of_their_own():
    data = (
        b"Date,Draft,Meeting Record,Agenda Item,Permanent Member Casting Negative Vote\n"
        b"29 August 1946,S/PV.57,S/PV.57,Admission of new Members: Transjordan,USSR\n"
        b"29 August 1946,S/PV.57,S/PV.57,Admission of new Members: Ireland,USSR\n"
    )
    report = import_vetoes(data, name="meeting.csv")
    assert report.ok, report.errors
    assert set(Resolution.objects.values_list("symbol", flat=True)) == {"S/PV.57", "S/PV.57/2"}


def test_a_veto_by_a_member_that_is_not_permanent_or_unknown_is_refused():
    data = (
        b"Date,Draft,Meeting Record,Agenda Item,Permanent Member Casting Negative Vote\n"
        b'26 May 2022,S/2022/431,S/PV.9048,Non-proliferation,"China, Atlantis"\n'
        b"28 March 2024,S/2024/255,S/PV.9591,Non-proliferation,Japan\n"
        b"31 February 2024,S/2024/999,S/PV.9999,Non-proliferation,France\n"
    )
    report = import_vetoes(data, name="v.csv")
    messages = [str(e) for e in report.errors]
    assert messages == [
        "v.csv, row 2: Permanent Member Casting Negative Vote: 'Atlantis' is not a country we know",
        "v.csv, row 3: Permanent Member Casting Negative Vote: JP is not a permanent member",
        "v.csv, row 4: Date: '31 February 2024' is not a date such as '26 May 2022'",
    ]
    assert not Resolution.objects.exists()


def test_vetoes_keep_the_other_members_votes_of_the_demo_drafts(demo_data, client):
    before = {symbol: votes_of(symbol) for symbol in ("S/2022/431", "S/2024/255")}
    assert len(before["S/2022/431"]) == 15
    title = Resolution.objects.get(symbol="S/2022/431").title
    report = import_vetoes(VETOES.read_bytes(), name="vetoes.csv")
    assert report.ok, report.errors
    for symbol, votes in before.items():
        assert votes_of(symbol) == votes
    assert Resolution.objects.get(symbol="S/2022/431").title == title
    # A draft with every vote recorded says nothing of missing votes; the 1946 draft does.
    page = client.get("/resolutions/S-2022-431/").content.decode()
    assert "not recorded" not in page.split('id="votes"')[1].split("</section>")[0]
    page = client.get("/resolutions/S-PV.23/").content.decode()
    assert "Only 1 of the Council's 11 members' votes are recorded" in page
    assert "the votes of the other members are not recorded" in page


def test_the_page_of_a_resolution_adopted_without_a_vote_says_so(client):
    import_un_votes(VOTES.read_bytes(), name="sc_votes.csv")
    page = client.get("/resolutions/1999/").content.decode()
    assert "adopted without a vote" in page and "Adopted without a vote: no member" in page
    api = client.get(f"/api/v1/resolutions/{Resolution.objects.get(number=1999).pk}/")
    assert api.status_code == 200 and api.json()["adopted_without_vote"] is True
