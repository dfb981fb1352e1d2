"""The US Consolidated Screening List (CSV, the International Trade Administration's download):
the export-control and sanctions lists of three US departments in one file, as actors and
designations (``manage.py import_list us-csl FILE``).

Each row is one entry of one list, named by its ``source``:

- **SDN rows** (``Specially Designated Nationals (SDN) - Treasury Department``) are OFAC's
  SDN entries: one designation under ``US-<PROGRAM>`` for each tag of ``programs``, referenced
  by the OFAC entry number (``entity_number``), and ``ofac_uid`` on the actor: the very
  designations and actors ``import_ofac_sdn`` loads from OFAC's own files, so the two imports
  agree and either may come first.
- **Every other list** (the Entity List, the Denied Persons List, ITAR debarments…) is a regime
  of its own, coded from the abbreviation the source gives in parentheses: ``Entity List (EL)
  - Bureau of Industry and Security`` → ``US-EL``, ``ITAR Debarred (DTC)`` → ``US-DTC``,
  ``Non-SDN Menu-Based Sanctions List (NS-MBS List)`` → ``US-NS-MBS`` (see ``ABBREVIATIONS``).
  A row is referenced by its OFAC entry number when it has one (the Treasury's non-SDN lists:
  stable from one version to the next), otherwise by the CSL's ``_id``.

The reference is also the actor's ``us_csl_id``, which is how a later version finds the entry
again. The file does not say when it was published, so an import withdraws nothing unless
told the file is the whole list (``--complete-as-of``). The ITA publishes the list as a US
government work (public domain).

What a row says of its target: ``type`` (Individual → person, Vessel, Aircraft; Entity, or no
type as the BIS and State lists leave it, → a company or organisation by its name, or a
person when the row gives a birth date, birthplace or citizenship); ``alt_names`` → aliases;
``nationalities`` and ``citizenships`` → the country (the first known; else the country of
the first address that names one); ``addresses``, ``dates_of_birth``, ``places_of_birth`` →
``identifiers`` lists (``addresses``, ``birth_dates``, ``birth_places``); ``ids`` ("Passport,
745310010, Korea, North") → ``passports`` and ``registrations`` as ``"CC:number"`` (how the
same person is recognised on another list) and every document as written in ``ids``; a
vessel's IMO number (an ``ids`` item typed ``IMO`` or numbered ``IMO 9123456``) → the actor's
IMO number, its ``vessel_flag`` → its flags; ``start_date`` → the designation's listing date;
``title`` → the actor's role; the remarks, the Federal Register notice, the licence policy
and the end date → the designation's reason (not for SDN rows: the reason of an SDN
designation is OFAC's remarks, which ``import_ofac_sdn`` gives in full, and which the CSL
cuts short; the CSL leaves it as it finds it). Multi-valued cells are
``;``-separated. A bad date, an unknown type, an IMO number whose check digit is wrong or a
missing column is reported with its row (counted as a spreadsheet shows it: the header is
row 1) and column, and nothing is loaded.
"""

import csv
import datetime
import io
import re

from django.core.exceptions import ValidationError

from apps.actors.models import valid_imo
from apps.ingest.services import ofac
from apps.ingest.services.lists import Entry, ParsedList, list_text
from apps.ingest.services.records import LoadError, Location
from apps.ingest.services.un import actor_kind

AUTHORITY = ofac.AUTHORITY
NAMESPACE = "us_csl_id"
LABEL = "US CSL"
# The file does not give its date: what it leaves out is delisted only with --complete-as-of.
WHOLE_LIST = False

COLUMNS = (
    "_id",
    "source",
    "entity_number",
    "type",
    "programs",
    "name",
    "title",
    "addresses",
    "federal_register_notice",
    "start_date",
    "end_date",
    "standard_order",
    "license_requirement",
    "license_policy",
    "call_sign",
    "vessel_type",
    "gross_tonnage",
    "gross_registered_tonnage",
    "vessel_flag",
    "vessel_owner",
    "remarks",
    "source_list_url",
    "alt_names",
    "citizenships",
    "dates_of_birth",
    "nationalities",
    "places_of_birth",
    "source_information_url",
    "ids",
)
SDN_SOURCE = "Specially Designated Nationals"
KINDS = {"individual": "person", "vessel": "vessel", "aircraft": "aircraft", "entity": None, "": None}
# Abbreviations a source writes otherwise than the regime code: OFAC itself calls the Chinese
# military companies' list NS-CMIC, and "(NS-MBS List)" carries the word "List".
ABBREVIATIONS = {"CMIC": "NS-CMIC"}
# Vessel details kept on the actor, under the names the SDN importer gives them.
VESSEL_DETAILS = (
    ("call_sign", "call_sign"),
    ("vessel_type", "vessel_type"),
    ("vessel_flag", "vessel_flag"),
    ("vessel_owner", "vessel_owner"),
    ("tonnage", "gross_tonnage"),
    ("grt", "gross_registered_tonnage"),
)
# A US address that gives no country ends with its state or ZIP code: a two-letter state
# abbreviation (CA, DE, GA, IN…) is not read as a country.
US_STATES = frozenset(
    re.findall(
        r"[A-Z]{2}",
        "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC "
        "ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR GU VI AS MP",
    )
)
_ABBREVIATION = re.compile(r"\(([^()]+)\)")


def split(value):
    """A multi-valued cell's values, in order, once each."""
    return list(dict.fromkeys(part.strip() for part in value.split(";") if part.strip()))


def regime_of_source(source):
    """``(code, name)`` of a list other than the SDN list, from its ``source``; None when the
    source gives no abbreviation in parentheses."""
    found = _ABBREVIATION.search(source)
    if not found:
        return None
    abbreviation = re.sub(r"\s+LIST$", "", found.group(1).strip().upper())
    abbreviation = ABBREVIATIONS.get(abbreviation, abbreviation)
    code = "-".join(re.findall(r"[A-Z0-9]+", abbreviation))
    return (f"US-{code}", source) if code else None


def _address_country(address, countries):
    last = address.rsplit(",", 1)[-1].strip()
    if len(last) == 2 and last.upper() in US_STATES:
        return None
    return countries.current(last)


def _documents(row, where, kind, countries, errors):
    """``(imo, passports, registrations, documents)`` of a row's ``ids``."""
    imo, passports, registrations, documents = "", [], [], []
    for item in split(row["ids"]):
        parts = [part.strip() for part in item.split(",")]
        doc_type, number = parts[0], (parts[1] if len(parts) > 1 else "")
        country = ", ".join(part for part in parts[2:] if part)
        documents.append(item)
        if doc_type.upper() == "IMO" or number.upper().startswith("IMO"):
            if kind != "vessel":
                continue  # a shipowner's company number, not a vessel's
            try:
                found = valid_imo(number, field="ids")
            except ValidationError as exc:
                errors.append(LoadError(where, "", "ids", exc.message_dict["ids"][0]))
                continue
            if imo and found != imo:
                errors.append(LoadError(where, "", "ids", f"two IMO numbers, {imo} and {found}"))
            imo = found
            continue
        code = countries.current(country) if country else None
        if not (number and code):
            continue  # a number unique only within a country we cannot tell
        if "passport" in doc_type.lower():
            passports.append(f"{code}:{number.upper()}")
        elif "registration" in doc_type.lower():
            registrations.append(f"{code}:{number.upper()}")
    return imo, passports, registrations, documents


def _row_entry(row, where, countries, errors, regimes):
    """The entry of one row (None when it has errors, added to ``errors``)."""
    count = len(errors)
    source = row["source"]
    is_sdn = source.startswith(SDN_SOURCE)
    entity_number = row["entity_number"]
    if not row["_id"]:
        errors.append(LoadError(where, "", "_id", "the row has no _id"))
    if not row["name"]:
        errors.append(LoadError(where, "", "name", "the entry has no name"))
    if entity_number and not (entity_number.isascii() and entity_number.isdigit()):
        errors.append(LoadError(where, "", "entity_number", f"{entity_number!r} is not an OFAC entry number"))
    programs = split(row["programs"])
    if is_sdn:
        if not entity_number:
            errors.append(LoadError(where, "", "entity_number", "an SDN entry without its OFAC entry number"))
        if not programs:
            errors.append(LoadError(where, "", "programs", "an SDN entry without a program"))
        codes = []
        for tag in programs:
            code = ofac.regime_code(tag)
            regimes.setdefault(code, {"name": f"US sanctions: {tag}", "target_country": ofac.regime_target(tag)})
            codes.append(code)
    else:
        regime = regime_of_source(source)
        if regime is None:
            errors.append(
                LoadError(where, "", "source", f"{source!r} names no list abbreviation in parentheses, e.g. (EL)")
            )
            codes = []
        else:
            code, name = regime
            regimes.setdefault(code, {"name": name[:300], "targets": []})
            # The country the list's programs name, if they name one (``_list_targets``).
            regimes[code]["targets"].append({ofac.regime_target(tag) for tag in programs} if programs else {None})
            codes = [code]
    row_type = row["type"].strip().lower()
    if row_type not in KINDS:
        errors.append(
            LoadError(
                where, "", "type", f"{row['type']!r} is not a type of the list (Individual, Entity, Vessel, Aircraft)"
            )
        )
        return None
    is_person = KINDS[row_type] == "person" or (
        row_type == "" and any(row[c] for c in ("dates_of_birth", "places_of_birth", "citizenships"))
    )
    kind = "person" if is_person else KINDS[row_type] or actor_kind(False, row["name"])
    listed_on = None
    if row["start_date"]:
        try:
            listed_on = datetime.date.fromisoformat(row["start_date"][:10])
        except ValueError:
            errors.append(LoadError(where, "", "start_date", f"{row['start_date']!r} is not a date (YYYY-MM-DD)"))
    imo, passports, registrations, documents = _documents(row, where, kind, countries, errors)
    flags = []
    if row["vessel_flag"]:
        flag = countries.current(row["vessel_flag"])
        if flag is None:
            errors.append(LoadError(where, "", "vessel_flag", f"{row['vessel_flag']!r} is not a country we know"))
        else:
            flags = [{"country": flag, "from": None, "to": None}]
    if len(errors) > count:
        return None

    addresses = split(row["addresses"])
    candidates = [countries.current(c) for c in (*split(row["nationalities"]), *split(row["citizenships"]))]
    if kind == "vessel" and flags:
        candidates.insert(0, flags[0]["country"])
    country = next((c for c in candidates if c), None) or next(
        (c for c in (_address_country(a, countries) for a in addresses) if c), None
    )
    identifiers = {"ofac_uid": entity_number} if is_sdn else {}
    for key, value in (
        ("addresses", addresses),
        ("birth_dates", split(row["dates_of_birth"])),
        ("birth_places", split(row["places_of_birth"])),
        ("passports", passports),
        ("registrations", registrations),
        ("documents", documents),
    ):
        if value:
            identifiers[key] = value
    identifiers.update({key: row[column] for key, column in VESSEL_DETAILS if row[column]})
    reason = None  # an SDN entry's reason is OFAC's remarks, in full in its own files
    if not is_sdn:
        reason = [row["remarks"]] + [
            f"{label}: {row[column]}"
            for label, column in (
                ("Federal Register", "federal_register_notice"),
                ("Licence requirement", "license_requirement"),
                ("Licence policy", "license_policy"),
                ("Ends", "end_date"),
            )
            if row[column]
        ]
        reason = "\n".join(part for part in reason if part)
    name = row["name"][:500]
    return Entry(
        where=where,
        reference=entity_number or row["_id"],
        kind=kind,
        name=name,
        regimes=codes,
        aliases=[alias for alias in split(row["alt_names"]) if alias != name],
        country=country,
        role=row["title"][:300],
        listed_on=listed_on,
        reason=reason,
        identifiers=identifiers,
        imo=imo,
        flags=flags,
    )


def _list_targets(regimes):
    """A list's regime targets a country when every row's programs name that one country."""
    for regime in regimes.values():
        targets = regime.pop("targets", None)
        if targets is not None:
            found = set().union(*targets)
            regime["target_country"] = found.pop() if len(found) == 1 else None


def parse(data, name, *, countries):
    """Read the CSV bytes: the entries, the regimes they are listed under, and the errors."""
    errors, entries, regimes, seen = [], [], {}, {}
    reader = csv.reader(io.StringIO(list_text(data).replace("\x00", ""), newline=""), strict=True)
    try:
        header = [cell.strip() for cell in next(reader, [])]
        missing = [column for column in COLUMNS if column not in header]
        for column in missing:
            errors.append(
                LoadError(
                    Location(name, "header"),
                    "",
                    column,
                    f"the column is missing: the Consolidated Screening List has {len(COLUMNS)} columns",
                )
            )
        if missing:
            return ParsedList(None, {}, [], errors)
        positions = {column: header.index(column) for column in COLUMNS}
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            cells += [""] * (len(header) - len(cells))
            row = {column: cells[index].strip() for column, index in positions.items()}
            where = Location(name, f"row {number} ({row['_id'] or 'no _id'})")
            entry = _row_entry(row, where, countries, errors, regimes)
            if entry is None:
                continue
            # One entry twice on one list is a fault; on two lists (an OFAC entry number on the
            # SDN list and a non-SDN one) it is one actor with a designation on each.
            key = (row["source"], entry.reference)
            if key in seen:
                errors.append(
                    LoadError(
                        where,
                        "",
                        "entity_number" if row["entity_number"] else "_id",
                        f"{entry.reference} is already at {seen[key]}",
                    )
                )
                continue
            seen[key] = where.where
            entries.append(entry)
    except csv.Error as exc:
        errors.append(LoadError(Location(name, f"line {reader.line_num}"), "", "", f"malformed CSV: {exc}"))
    _list_targets(regimes)
    return ParsedList(None, regimes, entries, errors)
