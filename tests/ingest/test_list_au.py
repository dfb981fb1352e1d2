"""``import_list au`` on a sample of DFAT's consolidated list (tests/data/au/, written by
tests/data/au/make_sample.py): entries and their other names, committees as regimes, the UN
reference an entry cites, versions, and bad rows."""

import io

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from apps.actors.models import Actor
from apps.ingest.services.lists import import_list
from apps.ingest.services.un import import_un_list
from apps.sanctions.models import Authority, Designation, Regime
from tests.conftest import LIST_SAMPLES, UN_SAMPLE
from tests.data.au.make_sample import HEADER, ROWS, write
from tests.ingest.conftest import row_counts
from tests.ingest.test_fuzz_importers import (
    XML_TEXT,
    assert_errors_located,
    assert_refused_whole,
    fuzz,
    garbled,
    rolled_back,
)

pytestmark = pytest.mark.django_db

SAMPLE = LIST_SAMPLES / "au" / "dfat_consolidated_sample.xlsx"


def run(path, *args):
    out = io.StringIO()
    call_command("import_list", "au", str(path), *args, stdout=out)
    return out.getvalue()


def version(tmp_path, name, rows):
    return write(tmp_path / name, rows)


def changed(reference, **cells):
    """The sample's rows, the one of ``reference`` with ``cells`` (by position) replaced."""
    rows = []
    for row in ROWS:
        row = list(row)
        if row[0] == reference:
            for position, value in cells.items():
                row[int(position.removeprefix("c"))] = value
        rows.append(tuple(row))
    return rows


def in_force():
    return sorted(Designation.objects.filter(delisted_on__isnull=True).values_list("regime__code", "reference"))


def test_the_sample_loads_its_entries_with_their_other_names():
    out = run(SAMPLE)
    assert "actors.actor: 5 created" in out
    assert "sanctions.designation: 5 created" in out
    au = Authority.objects.get(code="AU")
    assert (au.name, au.kind, au.country.iso2) == (
        "Australia (Department of Foreign Affairs and Trade)",
        "national",
        "AU",
    )
    regimes = {r.code: (r.name, r.target_country_id and r.target_country.iso2) for r in Regime.objects.all()}
    assert regimes == {
        "AU-DPRK": ("Australian sanctions: DPRK", "KP"),
        "AU-RUSSIA": ("Australian sanctions: Russia", "RU"),
        "AU-1988-TALIBAN": (
            "Australian sanctions implementing the UN Security Council's 1988 (Taliban) regime",
            None,
        ),
    }
    # " Entity" and "Alias" rows 2a, 2b: one company with two other names.
    komid = Actor.objects.get(identifiers__au_ref="2")
    assert (komid.name, komid.kind, komid.aliases) == (
        "KOREA MINING DEVELOPMENT TRADING CORPORATION",
        "company",
        ["CHANGGWANG SINYONG CORPORATION", "KOMID"],
    )
    assert komid.identifiers["un_ref"] == "KPe.001"
    assert list(komid.designations.values_list("regime__code", "reference")) == [("AU-DPRK", "2")]
    # "individual ": a person, the date of birth a date cell, the citizenship its country.
    ri = Actor.objects.get(identifiers__au_ref="1")
    assert (ri.kind, ri.country.iso2, ri.identifiers["birth_dates"], ri.identifiers["un_ref"]) == (
        "person",
        "KP",
        ["1964-07-17"],
        "KPi.033",
    )
    # The reference the Listing Information cites, not the one the Additional Information mentions.
    akhund = Actor.objects.get(identifiers__au_ref="3")
    assert (akhund.kind, akhund.identifiers["un_ref"], akhund.aliases) == ("person", "TAi.002", ["محمد حسن آخوند"])
    assert akhund.identifiers["birth_dates"] == ["Approximately 1955-1958", "Approximately 1945-1950"]
    # An entity citing an IMO number is a vessel.
    tanker = Actor.objects.get(identifiers__au_ref="4")
    assert (tanker.kind, tanker.imo) == ("vessel", "8660313")
    reason = Designation.objects.get(regime__code="AU-DPRK", reference="4").reason
    assert reason == "Designated by the 1718 Committee on 30 March 2018.\nOil tanker. IMO number: 8660313."
    putin = Actor.objects.get(identifiers__au_ref="5")
    assert (putin.kind, putin.country.iso2, putin.identifiers["birth_dates"]) == ("person", "RU", ["1952-10-07"])
    assert "Control Date" not in str(putin.identifiers) and "2022-02-28" not in str(putin.identifiers)


def test_reimporting_the_sample_writes_nothing():
    run(SAMPLE)
    before = row_counts()
    out = run(SAMPLE)
    assert row_counts() == before
    assert "actors.actor: 0 created, 0 updated, 5 unchanged" in out


def test_an_entry_citing_a_un_reference_is_the_un_actor():
    import_un_list(UN_SAMPLE.read_bytes(), name="un.xml")
    ri = Designation.objects.get(regime__code="UN-1718", reference="KPi.033").actor
    komid = Designation.objects.get(regime__code="UN-1718", reference="KPe.001").actor
    actors = Actor.objects.count()
    out = run(SAMPLE)
    assert f"matched: AU 1 RI WON HO = {ri.slug} (RI WON HO; un_ref KPi.033, un_dataid" in out
    # Three entries cite a UN reference; the tanker and Putin are new.
    assert Actor.objects.count() == actors + 2
    ri.refresh_from_db()
    assert ri.identifiers["au_ref"] == "1"
    assert sorted(ri.designations.values_list("regime__code", "reference")) == [
        ("AU-DPRK", "1"),
        ("UN-1718", "KPi.033"),
    ]
    komid.refresh_from_db()
    assert komid.name == "KOREA MINING DEVELOPMENT TRADING CORPORATION"
    assert "CHANGGWANG SINYONG CORPORATION" in komid.aliases and komid.identifiers["au_ref"] == "2"
    # Both lists again, in either order: nothing changes.
    before = row_counts()
    import_un_list(UN_SAMPLE.read_bytes(), name="un.xml")
    run(SAMPLE)
    assert row_counts() == before


def test_a_later_version_delists_only_when_it_is_the_whole_list(tmp_path):
    run(SAMPLE)
    second = version(tmp_path, "v2.xlsx", [row for row in ROWS if row[0] not in (2, "2a", "2b", 4)])
    out = run(second)
    assert "not in this file: 2 designations loaded from an earlier version of the list" in out
    assert len(in_force()) == 5
    out = run(second, "--complete-as-of", "2026-05-01")
    assert "delisted: AU-DPRK 2 on 2026-05-01" in out and "delisted: AU-DPRK 4 on 2026-05-01" in out
    assert in_force() == [("AU-1988-TALIBAN", "3"), ("AU-DPRK", "1"), ("AU-RUSSIA", "5")]
    assert Actor.objects.filter(identifiers__au_ref="2").exists()  # kept, never deleted
    # The first version again relists them.
    run(SAMPLE, "--complete-as-of", "2026-06-01")
    assert len(in_force()) == 5


def test_the_header_is_found_below_a_title_and_columns_by_name(tmp_path):
    order = list(reversed(HEADER))
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Consolidated List of Sanctioned Persons and Entities"])
    sheet.append([])
    sheet.append(order)
    for row in ROWS:
        sheet.append([dict(zip(HEADER, row, strict=True))[column] for column in order])
    path = tmp_path / "titled.xlsx"
    workbook.save(path)
    assert "actors.actor: 5 created" in run(path)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (changed(3, c2="Person"), "row 6 (Reference 3): Type: 'Person' is not Individual or Entity"),
        (
            changed(4, c8="Oil tanker. IMO number: 8660314."),
            "row 8 (Reference 4): Additional Information: '8660314' is not an IMO number",
        ),
        (
            [row for row in ROWS if row[0] != 3],
            "row 6 (Reference 3a): Reference: an other name of entry 3, which the list does not hold",
        ),
        (changed(5, c10=""), "row 9 (Reference 5): Committees: the entry names no regime"),
        (changed(1, c0="1x!"), "row 2 (Reference 1x!): Reference: '1x!' is not a reference"),
    ],
)
def test_a_bad_row_is_reported_by_row_and_column_and_nothing_is_written(tmp_path, capsys, rows, message):
    path = version(tmp_path, "bad.xlsx", rows)
    before = row_counts()
    with pytest.raises(CommandError, match="nothing was written"):
        run(path)
    assert f"{path}, {message}" in capsys.readouterr().err
    assert row_counts() == before


def test_a_missing_column_or_a_file_that_is_no_workbook_is_refused(tmp_path, capsys):
    workbook = Workbook()
    workbook.active.append([column for column in HEADER if column != "Committees"])
    path = tmp_path / "old.xlsx"
    workbook.save(path)
    other = tmp_path / "list.xlsx"
    other.write_bytes(b"Reference,Name of Individual or Entity\n")
    before = row_counts()
    for bad in (path, other):
        with pytest.raises(CommandError, match="nothing was written"):
            run(bad)
    err = capsys.readouterr().err
    assert f"{path}, row 1: Committees: the column is missing from the header" in err
    assert f"{other}: not an XLSX workbook" in err
    assert row_counts() == before


@st.composite
def odd_workbook(draw, tmp_path):
    """The sample with any text in one cell (or a number, or a date), or its bytes truncated
    or garbled."""
    if draw(st.booleans()):
        table = [list(row) for row in ROWS]
        value = draw(st.one_of(XML_TEXT, st.integers(-5, 10**8), st.floats(allow_nan=False), st.datetimes()))
        table[draw(st.integers(0, len(table) - 1))][draw(st.integers(0, len(HEADER) - 1))] = value
        return write(tmp_path / "odd.xlsx", table).read_bytes()
    return draw(garbled(SAMPLE.read_bytes()))


@fuzz(30)
@given(data=st.data())
def test_any_odd_workbook_loads_or_is_refused_whole_naming_where(tmp_path, data):
    workbook = data.draw(odd_workbook(tmp_path))
    with rolled_back() as before:
        report = import_list("au", workbook, name="au.xlsx")
        if not report.ok:
            assert_refused_whole(report, before)
            assert_errors_located(report, {"au.xlsx"})
