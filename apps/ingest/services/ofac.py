"""The US OFAC SDN list in its CSV family (``sdn.csv``, ``add.csv``, ``alt.csv`` and the
remarks overflow ``sdn_comments.csv``) as actors and designations.

The files have no header row; their columns are OFAC's (``SDN_COLUMNS`` and the others
below) and ``-0-`` stands for an empty value. Each ``sdn.csv`` row is an actor with a
designation under one ``US-<TAG>`` regime for each of its program tags (``[DPRK3]`` →
``US-DPRK3``), whose reference is the OFAC entry number; its aliases come from ``alt.csv``
and its addresses from ``add.csv``, stored in ``identifiers["addresses"]`` as the UN
importer stores them. The SDN type decides the actor kind: individual → person, vessel →
vessel, aircraft → aircraft, and an entity → company or organization by its name (as for the
UN list).

An actor is found again by its ``ofac_uid``, or on another list (the UN's) by the rules of
``matching``. The CSV files carry no publication date, so the importer cannot tell the whole
list from an excerpt: given ``complete_as_of`` (the date OFAC published the files) it marks
the designations the list no longer carries as delisted on that date, never deleting them.
Any malformed row (wrong number of columns, a non-numeric entry number) is reported with its
file, line and field, and then nothing is loaded.
"""

import csv
import io
import re
from contextlib import suppress
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from apps.actors.models import valid_imo
from apps.ingest.services.countries import CountryResolver
from apps.ingest.services.lists import list_text
from apps.ingest.services.matching import ActorIndex, list_actor_fields, load_list
from apps.ingest.services.records import LoadError, LoadReport, Location, Record, delisting_records
from apps.ingest.services.un import actor_kind, passport_ids
from apps.sanctions.models import Authority, Designation, Regime

AUTHORITY = {
    "code": "US",
    "name": "United States (Treasury, Office of Foreign Assets Control)",
    "kind": "national",
    "country": "US",
}

SDN_COLUMNS = (
    "ent_num",
    "SDN_Name",
    "SDN_Type",
    "Program",
    "Title",
    "Call_Sign",
    "Vess_type",
    "Tonnage",
    "GRT",
    "Vess_flag",
    "Vess_owner",
    "Remarks",
)
ADD_COLUMNS = ("ent_num", "Add_num", "Address", "City/State/Province/Postal", "Country", "Add_remarks")
ALT_COLUMNS = ("ent_num", "alt_num", "alt_type", "alt_name", "alt_remarks")
COMMENTS_COLUMNS = ("ent_num", "Remarks_Extended")
FILES = {
    "sdn.csv": SDN_COLUMNS,
    "add.csv": ADD_COLUMNS,
    "alt.csv": ALT_COLUMNS,
    "sdn_comments.csv": COMMENTS_COLUMNS,
}
NUMERIC = {"ent_num", "Add_num", "alt_num"}
EMPTY = "-0-"

KINDS = {"individual": "person", "vessel": "vessel", "aircraft": "aircraft"}
# Program tags whose regime targets one country; the others (SDGT, NPWMD, CYBER2…) are thematic.
TARGETS = {
    "DPRK": "KP",
    "NKSPEA": "KP",
    "IRAN": "IR",
    "IFSR": "IR",
    "IRGC": "IR",
    "RUSSIA": "RU",
    "BELARUS": "BY",
    "VENEZUELA": "VE",
    "LIBYA": "LY",
    "SYRIA": "SY",
    "CUBA": "CU",
    "IRAQ": "IQ",
    "BURMA": "MM",
    "SUDAN": "SD",
    "SOUTH SUDAN": "SS",
    "YEMEN": "YE",
    "SOMALIA": "SO",
    "CAR": "CF",
    "DRCONGO": "CD",
    "NICARAGUA": "NI",
    "LEBANON": "LB",
    "MALI": "ML",
}
_IMO = re.compile(r"\bIMO (\d{7})\b")
_NATIONALITY = re.compile(r"\bnationality ([^;.]+)")
_PASSPORT = re.compile(r"\bPassport ([A-Z0-9-]+) \(([^)]+)\)")


def regime_code(tag):
    return f"US-{tag}"


def regime_target(tag):
    head = re.split(r"[-\d]", tag, maxsplit=1)[0]
    return TARGETS.get(tag) or TARGETS.get(head)


def program_tags(value):
    """``"NPWMD] [IFSR"`` (the brackets of ``[NPWMD] [IFSR]`` less the outer ones) → tags."""
    return [tag.strip(" []") for tag in value.split("] [") if tag.strip(" []")]


@dataclass
class OfacEntry:
    where: Location
    ent_num: str
    name: str
    sdn_type: str
    programs: list
    title: str = ""
    remarks: str = ""
    vessel: dict = field(default_factory=dict)
    aliases: list = field(default_factory=list)
    addresses: list = field(default_factory=list)
    address_countries: list = field(default_factory=list)


@dataclass
class OfacList:
    entries: list
    errors: list
    notes: list


def _rows(name, data, columns, errors):
    """(Location, {column: value}) for every well-formed row; errors for the others."""
    rows = []
    reader = csv.reader(io.StringIO(list_text(data), newline=""), strict=True)
    try:
        for row in reader:
            location = Location(name, f"line {reader.line_num}")
            if not row or (len(row) == 1 and row[0].strip() in ("", "\x1a")):
                continue  # a blank line, or the end-of-file mark OFAC's files carry
            if len(row) != len(columns):
                errors.append(
                    LoadError(
                        location,
                        "",
                        "",
                        f"the row has {len(row)} fields, {name} has {len(columns)} ({', '.join(columns)})",
                    )
                )
                continue
            values = {
                column: ("" if cell.strip() == EMPTY else cell.strip())
                for column, cell in zip(columns, row, strict=True)
            }
            bad = [c for c in columns if c in NUMERIC and not (values[c].isascii() and values[c].isdigit())]
            for column in bad:
                errors.append(LoadError(location, "", column, f"{values[column]!r} is not an OFAC number"))
            if not bad:
                rows.append((location, values))
    except csv.Error as exc:
        errors.append(LoadError(Location(name, f"line {reader.line_num}"), "", "", f"malformed CSV: {exc}"))
    return rows


def parse_ofac(files):
    """Parse ``{"sdn.csv": (name, bytes), ...}``; ``sdn.csv`` is required, the others optional."""
    errors, notes = [], []
    if "sdn.csv" not in files:
        return OfacList([], [LoadError(Location("OFAC SDN"), "", "", "sdn.csv is required")], notes)
    parsed = {kind: _rows(name, data, FILES[kind], errors) for kind, (name, data) in files.items()}
    entries = {}
    for location, row in parsed["sdn.csv"]:
        ent_num = row["ent_num"]
        if ent_num in entries:
            errors.append(LoadError(location, "", "ent_num", f"entry {ent_num} is already at {entries[ent_num].where}"))
            continue
        if not row["SDN_Name"]:
            errors.append(LoadError(location, "", "SDN_Name", "the entry has no name"))
        programs = program_tags(row["Program"])
        if not programs:
            errors.append(LoadError(location, "", "Program", "the entry has no program"))
        entries[ent_num] = OfacEntry(
            where=location,
            ent_num=ent_num,
            name=row["SDN_Name"][:500],
            sdn_type=row["SDN_Type"].lower(),
            programs=programs,
            title=row["Title"][:300],
            remarks=row["Remarks"],
            vessel={
                key: row[column]
                for key, column in (
                    ("call_sign", "Call_Sign"),
                    ("vessel_type", "Vess_type"),
                    ("vessel_flag", "Vess_flag"),
                    ("vessel_owner", "Vess_owner"),
                    ("tonnage", "Tonnage"),
                    ("grt", "GRT"),
                )
                if row[column]
            },
        )
    if not entries and not errors:
        errors.append(LoadError(Location(files["sdn.csv"][0]), "", "", "the file has no entry"))

    def entry_of(location, row):
        entry = entries.get(row["ent_num"])
        if entry is None:
            notes.append(f"skipped: {location}: entry {row['ent_num']} is not in sdn.csv")
        return entry

    for location, row in parsed.get("sdn_comments.csv", ()):
        if entry := entry_of(location, row):
            # The remarks too long for sdn.csv, continued mid-word.
            entry.remarks += row["Remarks_Extended"]
    for location, row in parsed.get("alt.csv", ()):
        if (entry := entry_of(location, row)) and row["alt_name"] not in (entry.name, *entry.aliases):
            entry.aliases.append(row["alt_name"])
    for location, row in parsed.get("add.csv", ()):
        if entry := entry_of(location, row):
            address = ", ".join(v for v in (row["Address"], row["City/State/Province/Postal"], row["Country"]) if v)
            if address and address not in entry.addresses:
                entry.addresses.append(address)
            if row["Country"]:
                entry.address_countries.append(row["Country"])
    return OfacList(list(entries.values()), errors, notes)


def _kind(entry):
    return KINDS.get(entry.sdn_type) or actor_kind(False, entry.name)


def _identifiers(entry, countries):
    identifiers = {"ofac_uid": entry.ent_num}
    if imo := _IMO.search(entry.remarks):
        identifiers["imo"] = imo.group(1)
    identifiers.update(entry.vessel)
    if entry.addresses:
        identifiers["addresses"] = entry.addresses
    if passports := passport_ids(_PASSPORT.findall(entry.remarks), countries):
        identifiers["passports"] = passports
    return identifiers


def _vessel_fields(entry, identifiers, countries):
    """A vessel's IMO number (when its check digit is right) and its flag as the SDN list gives
    it (without dates)."""
    fields = {}
    with suppress(ValidationError):
        if identifiers.get("imo"):
            fields["imo"] = valid_imo(identifiers["imo"])
    flag = countries.code(entry.vessel["vessel_flag"]) if entry.vessel.get("vessel_flag") else None
    if flag:
        fields["flags"] = [{"country": flag, "from": None, "to": None}]
    return fields


def _country(entry, countries):
    if entry.vessel.get("vessel_flag"):
        candidates = [entry.vessel["vessel_flag"]]
    else:
        candidates = [m.strip() for m in _NATIONALITY.findall(entry.remarks)] + entry.address_countries
    return next((code for code in map(countries.code, candidates) if code), None)


def ofac_records(ofac_list, name, *, complete_as_of=None, index=None, countries=None, proposals=None):
    """The records a parsed list loads, and the cross-list matches it made and left apart.

    ``complete_as_of`` (a date) says the files are the whole SDN list as published that day:
    designations loaded from an earlier version that it no longer carries are then marked
    delisted on that date. Without it the files may be an excerpt, so nothing is delisted
    and the designations they leave out are only counted in a note."""
    index = index or ActorIndex.from_database()
    proposals = [] if proposals is None else proposals
    countries = countries or CountryResolver()
    notes = list(ofac_list.notes)
    records = []

    def add(label, fields, where):
        records.append(Record(label, fields, where))

    if not Authority.objects.filter(code="US").exists():
        add("sanctions.authority", dict(AUTHORITY), Location(name, "authority US"))
    existing = set(Regime.objects.filter(code__startswith="US-").values_list("code", flat=True))
    for tag in sorted({tag for entry in ofac_list.entries for tag in entry.programs}):
        if regime_code(tag) not in existing:
            add(
                "sanctions.regime",
                {
                    "code": regime_code(tag),
                    "name": f"US sanctions: {tag}",
                    "authority": ["US"],
                    "target_country": regime_target(tag),
                },
                Location(name, f"regime {regime_code(tag)}"),
            )
    for entry in ofac_list.entries:
        identifiers = _identifiers(entry, countries)
        actor = {
            "kind": _kind(entry),
            "name": entry.name,
            "aliases": entry.aliases,
            "country": _country(entry, countries),
            "role": entry.title,
            "identifiers": identifiers,
        }
        if actor["kind"] == "vessel":
            actor.update(_vessel_fields(entry, identifiers, countries))
        fields = list_actor_fields(
            index,
            actor,
            own=index.by_id("ofac_uid", entry.ent_num),
            namespace="ofac_uid",
            reference=f"ofac-{entry.ent_num}",
            label=f"OFAC {entry.ent_num}",
            notes=notes,
            proposals=proposals,
        )
        add("actors.actor", fields, entry.where)
        for tag in entry.programs:
            add(
                "sanctions.designation",
                {
                    "regime": [regime_code(tag)],
                    "reference": entry.ent_num,
                    "actor": [fields["slug"]],
                    "reason": entry.remarks,
                    # Listed again after a delisting.
                    "delisted_on": None,
                },
                # The loader tells records of one model apart by their location.
                Location(entry.where.file, f"{entry.where.where}, program {tag}"),
            )
    listed = {(regime_code(tag), entry.ent_num) for entry in ofac_list.entries for tag in entry.programs}
    missing = [key for key in sdn_designations() if key not in listed]
    if complete_as_of is None and missing:
        notes.append(
            f"not in these files: {len(missing)} designations loaded from an earlier SDN list; if the files are "
            "the whole list, import them with --complete-as-of DATE to mark those delisted"
        )
    if complete_as_of is not None:
        withdrawn, delisted = delisting_records(missing, complete_as_of, name)
        records += withdrawn
        notes += delisted
    return records, notes


def sdn_designations():
    """``(regime code, entry number)`` of the US designations in force that came from the
    SDN list: those whose actor carries the same OFAC entry number. Designations editors
    entered by hand under a US regime are not the list's to withdraw."""
    rows = Designation.objects.filter(regime__authority__code="US", delisted_on__isnull=True).values_list(
        "regime__code", "reference", "actor__identifiers"
    )
    return sorted(
        (code, reference)
        for code, reference, identifiers in rows
        if isinstance(identifiers, dict) and identifiers.get("ofac_uid") == reference
    )


def import_ofac_sdn(files, *, complete_as_of=None, user=None, dry_run=False, progress=False):
    """Parse and load the SDN files (``{"sdn.csv": (name, bytes), ...}``); return the report.
    ``complete_as_of``: see ``ofac_records``."""
    ofac_list = parse_ofac(files)
    if ofac_list.errors:
        return LoadReport(dry_run=dry_run, errors=ofac_list.errors, notes=ofac_list.notes)
    name = files["sdn.csv"][0]
    proposals = []
    records, notes = ofac_records(ofac_list, name, complete_as_of=complete_as_of, proposals=proposals)
    return load_list(
        records,
        proposals,
        notes,
        user=user,
        dry_run=dry_run,
        progress=progress,
        change_reason=f"import_ofac_sdn {name}"[:100],
    )
