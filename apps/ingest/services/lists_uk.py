"""The UK's consolidated list of financial sanctions targets (HM Treasury, OFSI), "2022 format".

OFSI publishes the list as CSV or XLSX (``ConList.csv``, ``ConList.xlsx``): a first row
``Last Updated,<dd/mm/yyyy>`` (the date of this version: designations a newer version no longer
carries are marked delisted on it), a header row, then one row per *name variation* of a
target; the rows of one target share its ``Group ID``. Each group becomes one ``Entry``:

- **reference**: the ``Group ID``. OFSI keeps it for a target from version to version, so it is
  the designation's reference and the actor's ``uk_ref``; the UK Sanctions List reference that
  ``Other Information`` cites (``(UK Sanctions List Ref):RUS0001``) is kept as ``uk_list_ref``.
- **name**: ``Name 1`` … ``Name 5`` then ``Name 6`` (the surname, or an entity's whole name) of the
  ``Primary name`` row; every other row's name and every ``Name Non-Latin Script`` is an alias.
- **kind**: ``Group Type`` ``Individual`` → person, ``Entity`` → company or organisation (by its
  name, as for the UN list), ``Ship`` → vessel.
- **regimes**: one regime per UK regime name, ``UK-<NAME>`` (``Russia`` → ``UK-RUSSIA``,
  ``Democratic People's Republic of Korea`` → ``UK-DPRK``), aimed at the country it names.
- **one actor across lists**: the UN reference an entry cites (``(UN Ref):KPi.033``), a ship's
  IMO number and a passport number with its country are the identifiers by which the entry is
  attached to the actor another list already gave that target (``apps.ingest.services.matching``).

A ship's IMO number, flags and previous names are read from the columns that carry them when
the file has them (``IMO number``, ``Current believed flag of ship``, ``Previous flags``,
``Previous names``), else from ``Other Information`` (``(IMO number):9123456``, ``IMO 9123456``,
``Current believed flag of ship: …``). Only a ship's IMO number is read: OFSI also writes the
IMO *company* number of shipping companies, which is another numbering.

Any error (a missing column, a date that is not one, an unknown group type, an IMO number whose
check digit is wrong) names the row, the target's Group ID and the column; a file with one loads
nothing.
"""

import csv
import datetime
import io
import re

from django.core.exceptions import ValidationError
from django.utils.text import slugify

from apps.actors.models import valid_imo
from apps.ingest.services.countries import normalize_country_name
from apps.ingest.services.lists import Entry, ParsedList, first_sheet, list_text
from apps.ingest.services.matching import document_id
from apps.ingest.services.records import LoadError, Location
from apps.ingest.services.un import actor_kind

AUTHORITY = {
    "code": "UK",
    "name": "United Kingdom (HM Treasury, Office of Financial Sanctions Implementation)",
    "kind": "national",
    "country": "GB",
}
NAMESPACE = "uk_ref"
LABEL = "UK"
# Every version of the consolidated list is the whole list as of its "Last Updated" date.
WHOLE_LIST = True

NAME_COLUMNS = ("Name 1", "Name 2", "Name 3", "Name 4", "Name 5", "Name 6")
COLUMNS = (
    *("Name 6", "Name 1", "Name 2", "Name 3", "Name 4", "Name 5", "Title", "Name Non-Latin Script"),
    *("Non-Latin Script Type", "Non-Latin Script Language", "DOB", "Town of Birth", "Country of Birth"),
    *("Nationality", "Passport Number", "Passport Details", "National Identification Number"),
    *("National Identification Details", "Position", "Address 1", "Address 2", "Address 3", "Address 4"),
    *("Address 5", "Address 6", "Post/Zip Code", "Country", "Other Information", "Group Type", "Alias Type"),
    *("Alias Quality", "Regime", "Listed On", "UK Sanctions List Date Designated", "Last Updated", "Group ID"),
)
ADDRESS_COLUMNS = (
    "Address 1",
    "Address 2",
    "Address 3",
    "Address 4",
    "Address 5",
    "Address 6",
    "Post/Zip Code",
    "Country",
)
# Columns some versions add for ships; read when present, else the same facts in Other Information.
SHIP_COLUMNS = {
    "imo": "IMO number",
    "flag": "Current believed flag of ship",
    "previous_flags": "Previous flags",
    "previous_names": "Previous names",
}
KINDS = {"individual": "person", "ship": "vessel"}
# Regime names whose code is not their slug.
REGIME_CODES = {"democratic peoples republic of korea": "UK-DPRK"}

_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
# "(UK Sanctions List Ref):RUS0001", "(Current owner/operator (s)):…": a label in brackets, a colon.
_TAG = re.compile(r"\(((?:[^()]|\([^()]*\))+)\)\s*:\s*")
_UK_REF = re.compile(r"UK Sanctions List Ref\)?\s*:?\s*([A-Z]{2,4}\d{3,5})", re.IGNORECASE)
# "(UN Ref):KPi.033", "UN Ref KPi.033", "UN reference number: KPe.001".
_UN_REF = re.compile(r"\bUN\s*Ref(?:erence)?(?:\s*(?:number|no\.?))?\)?\s*:?\s*([A-Z]{2}[ie]\.\d{3})\b", re.IGNORECASE)
_IMO = re.compile(r"\bIMO(?:\s*(?:number|no\.?))?\)?\s*:?\s*(\d+)\b", re.IGNORECASE)
_LIST_SPLIT = re.compile(r"\s*(?:\(\d+\)|;|,)\s*")
_COUNTRY_SPLIT = re.compile(r"\s*(?:\(\d+\)|;|,|\band\b)\s*", re.IGNORECASE)
_SENTENCE_END = re.compile(r"\.(?:\s|$)|;")


def regime_code(regime):
    """``UK-`` and the regime's name as a slug (at most 64 characters, the field's length)."""
    code = REGIME_CODES.get(re.sub(r"[^a-z ]", "", regime.casefold()).strip())
    if code:
        return code
    code = f"UK-{slugify(regime).upper()}"
    return code if len(code) <= 64 else code[:64].rsplit("-", 1)[0]


def regime_fields(regime, countries):
    """The regime's record: its name, and the country it names (``Iran (Nuclear)`` → Iran;
    a thematic regime, ``Global Human Rights``, has none)."""
    target = countries.code(regime) or countries.code(re.sub(r"\(.*?\)", "", regime).strip())
    return {"name": f"UK sanctions: {regime}"[:300], "target_country": target}


def parse(data, name, *, countries):
    """Read one version of the list (``data``: the file's bytes, CSV or XLSX)."""
    try:
        rows = _xlsx_rows(data) if data[:2] == b"PK" else _csv_rows(data)
    except ValueError as exc:
        return ParsedList(None, {}, [], [LoadError(Location(name), "", "", str(exc))])
    errors = []
    as_of = None
    first = rows[0][1] if rows else []
    if len(first) < 2 or first[0].casefold() != "last updated":
        errors.append(
            LoadError(Location(name, "row 1"), "", "Last Updated", "the first row is not 'Last Updated,<date>'")
        )
    else:
        try:
            as_of = _date(first[1])
        except ValueError as exc:
            errors.append(LoadError(Location(name, "row 1"), "", "Last Updated", str(exc)))
    if len(rows) < 2:
        errors.append(LoadError(Location(name, "row 2"), "", "", "the file has no header row"))
        return ParsedList(as_of, {}, [], errors)
    header_number, header = rows[1]
    columns = {}
    for index, title in enumerate(header):
        columns.setdefault(title, index)
    for column in COLUMNS:
        if column not in columns:
            errors.append(
                LoadError(Location(name, f"row {header_number}"), "", column, f"the header has no column {column!r}")
            )
    if errors:
        return ParsedList(as_of, {}, [], errors)

    groups = {}
    for number, cells in rows[2:]:
        row = {title: cells[index] if index < len(cells) else "" for title, index in columns.items()}
        group = row["Group ID"]
        if not group:
            errors.append(LoadError(Location(name, f"row {number}"), "", "Group ID", "the row has no Group ID"))
            continue
        groups.setdefault(group, []).append((number, row))
    regimes, entries, notes = {}, [], []
    # Each regime's code and record, worked out once per name (thousands of rows share a few).
    codes_by_name = {}
    for group, group_rows in groups.items():
        entry = _entry(group, group_rows, name, countries, regimes, codes_by_name, errors, notes)
        if entry is not None:
            entries.append(entry)
    return ParsedList(as_of, regimes, entries, errors, notes)


def _entry(group, rows, name, countries, regimes, codes_by_name, errors, notes):
    """One target from its rows; None (and ``errors``) when a row is wrong. The regimes its rows
    name are added to ``regimes`` (by code) and ``codes_by_name``."""
    before = len(errors)

    def error(number, column, message):
        errors.append(LoadError(Location(name, f"row {number} (Group ID {group})"), "", column, message))

    primary_number, primary = next(
        ((n, row) for n, row in rows if row["Alias Type"].casefold() == "primary name"), rows[0]
    )
    where = Location(name, f"row {primary_number} (Group ID {group})")
    kinds, codes, listed = [], [], {}
    for number, row in rows:
        group_type = " ".join(row["Group Type"].split()).casefold()
        if group_type not in ("individual", "entity", "ship"):
            error(number, "Group Type", f"{row['Group Type']!r} is not Individual, Entity or Ship")
        kinds.append(group_type)
        regime = " ".join(row["Regime"].split())
        if not regime:
            error(number, "Regime", "the row names no regime")
        else:
            code = codes_by_name.get(regime)
            if code is None:
                code = codes_by_name[regime] = regime_code(regime)
                regimes.setdefault(code, regime_fields(regime, countries))
            if code not in codes:
                codes.append(code)
        if row["Listed On"]:
            try:
                listed[number] = _date(row["Listed On"])
            except ValueError as exc:
                error(number, "Listed On", str(exc))
    if len(set(kinds)) > 1 and len(errors) == before:
        error(
            primary_number, "Group Type", f"the rows of one target give several types: {', '.join(sorted(set(kinds)))}"
        )
    full_name = _name(primary)
    if not full_name:
        error(primary_number, "Name 6", "the primary name is empty")
    if len(errors) > before:
        return None

    group_type = kinds[0]
    kind = KINDS.get(group_type) or actor_kind(False, full_name)
    aliases = []
    for _, row in rows:
        for alias in (_name(row), row["Name Non-Latin Script"]):
            if alias and alias != full_name and alias not in aliases:
                aliases.append(alias)
    information = _first(rows, "Other Information")
    identifiers = {}
    if found := _UK_REF.search(information):
        identifiers["uk_list_ref"] = found.group(1).upper()
    if found := _UN_REF.search(information):
        # The UN's own spelling: two letters, "i" or "e", a dot, three digits ("KPi.033").
        identifiers["un_ref"] = found.group(1)[:2].upper() + found.group(1)[2:].lower()
    nationalities, _ = _country_codes(_first(rows, "Nationality"), countries)
    addresses = _distinct(", ".join(row[c] for c in ADDRESS_COLUMNS if row[c]) for _, row in rows)
    address_countries = [c for c in (countries.code(row["Country"]) for _, row in rows) if c]
    if kind == "person":
        identifiers["birth_dates"] = _distinct(_birth_date(v) for v in _values(rows, "DOB"))
        identifiers["birth_places"] = _distinct(
            ", ".join(part for part in (row["Town of Birth"], row["Country of Birth"]) if part) for _, row in rows
        )
        identifiers["passports"] = _passports(rows, nationalities, countries)
        identifiers["national_ids"] = _distinct(
            number for value in _values(rows, "National Identification Number") for number in _split(value)
        )
    identifiers["addresses"] = addresses
    entry = Entry(
        where=where,
        reference=group,
        kind=kind,
        name=full_name[:500],
        regimes=codes,
        aliases=aliases,
        country=(nationalities or address_countries or [None])[0],
        role="; ".join(_distinct(_values(rows, "Position")))[:300],
        listed_on=listed.get(primary_number) or min(listed.values(), default=None),
        reason=information,
        identifiers={key: value for key, value in identifiers.items() if value},
    )
    if kind == "vessel":
        _ship(entry, rows, information, countries, error, notes)
        if len(errors) > before:
            return None
    return entry


def _ship(entry, rows, information, countries, error, notes):
    """A ship's IMO number (check digit verified), flags and former names."""
    tags = _tags(information)
    column = SHIP_COLUMNS["imo"]
    for number, row in rows:
        imo, field = row.get(column, ""), column
        if not imo and (found := _IMO.search(row["Other Information"])):
            imo, field = found.group(1), "Other Information"
        if imo:
            try:
                entry.imo = valid_imo(imo)
            except ValidationError:
                error(number, field, f"{imo!r} is not an IMO number (seven digits, the last the check digit)")
            break
    current = _first(rows, SHIP_COLUMNS["flag"]) or _labelled(
        tags, information, "current believed flag of ship", "flag"
    )
    previous = _first(rows, SHIP_COLUMNS["previous_flags"]) or _labelled(
        tags, information, "previous flags", "previous flag"
    )
    for value, extra in ((current, {}), (previous, {"previous": True})):
        codes, unknown = _country_codes(value, countries) if value else ([], [])
        notes += [f"{entry.where}: flag {flag!r} is not a country we know; left out" for flag in unknown]
        for code in codes:
            if code not in [flag["country"] for flag in entry.flags]:
                entry.flags.append({"country": code, "from": None, "to": None, **extra})
    names = _first(rows, SHIP_COLUMNS["previous_names"]) or _labelled(
        tags, information, "previous names", "previous name", "former names"
    )
    for alias in _split(names):
        if alias not in entry.aliases and alias != entry.name:
            entry.aliases.append(alias)
    if entry.country is None and entry.flags:
        entry.country = entry.flags[0]["country"]


def _tags(text):
    """``(Label):value`` pairs of Other Information, by lower-cased label."""
    found = list(_TAG.finditer(text))
    tags = {}
    for match, following in zip(found, [*found[1:], None], strict=True):
        value = text[match.end() : following.start() if following else len(text)]
        tags.setdefault(" ".join(match.group(1).split()).casefold(), value.strip().rstrip(".;,").strip())
    return tags


def _labelled(tags, text, *labels):
    """The value of the first of ``labels`` in brackets (``(Previous flags):…``) or written out
    (``Previous flags: …``, up to the end of the sentence)."""
    for label in labels:
        if tags.get(label):
            return tags[label]
    for label in labels:
        found = re.search(rf"\b{re.escape(label)}\s*:\s*", text, re.IGNORECASE)
        if found:
            rest = text[found.end() :]
            end = _SENTENCE_END.search(rest)
            paren = rest.find("(")
            stop = min(x for x in (end.start() if end else len(rest), paren if paren >= 0 else len(rest)))
            return rest[:stop].strip()
    return ""


def _passports(rows, nationalities, countries):
    """``"CC:NUMBER"`` for each passport number whose country is known: the one its details
    name, else the holder's nationality. Spaces are dropped, as lists write them either way."""
    passports = []
    for _, row in rows:
        numbers = _split(row["Passport Number"])
        if not numbers:
            continue
        country = _country_named_in(row["Passport Details"], countries) or (nationalities or [None])[0]
        if country:
            passports += [document_id(country, number) for number in numbers]
    return _distinct(passports)


def _country_named_in(text, countries):
    """The country a phrase names (``"Issued in Russia, expires 2026"`` → RU): its longest run of
    words that is a country's name (codes and names shorter than four letters are not read in a
    phrase: "in" is not India)."""
    words = normalize_country_name(text).split()
    for size in range(min(len(words), 8), 0, -1):
        for start in range(len(words) - size + 1):
            phrase = " ".join(words[start : start + size])
            if len(phrase) >= 4 and (code := countries.code(phrase)):
                return code
    return None


def _name(row):
    return " ".join(" ".join(row[column].split()) for column in NAME_COLUMNS if row[column].strip())


def _first(rows, column):
    return next((row[column] for _, row in rows if row.get(column)), "")


def _values(rows, column):
    return [row[column] for _, row in rows if row.get(column)]


def _distinct(values):
    return list(dict.fromkeys(value for value in values if value))


def _split(value, pattern=_LIST_SPLIT):
    """``"(1) 745310010 (2) 563220533"``, ``"SEA STAR; ORIENT"`` → each value."""
    return [part.strip(" .") for part in pattern.split(value or "") if part.strip(" .")]


def _country_codes(value, countries):
    """The countries a cell names: ``"(1) Russia (2) Israel"``, ``"Cambodia and Tanzania"``; a
    name with a comma of its own (``"Korea, North"``) is tried whole first. Names of no country
    we know are returned apart."""
    whole = countries.code(value)
    if whole:
        return [whole], []
    codes, unknown = [], []
    for part in _split(value, _COUNTRY_SPLIT):
        code = countries.code(part)
        if code is None:
            unknown.append(part)
        elif code not in codes:
            codes.append(code)
    return codes, unknown


def _date(value):
    found = _DATE.match(value.strip())
    try:
        if found is None:
            raise ValueError
        return datetime.date(int(found.group(3)), int(found.group(2)), int(found.group(1)))
    except ValueError:
        raise ValueError(f"{value!r} is not a date (dd/mm/yyyy)") from None


def _birth_date(value):
    """``17/07/1964`` → ``1964-07-17``; OFSI writes an unknown day or month as 00 (``00/00/1964``
    → ``1964``); anything else is kept as written."""
    found = _DATE.match(value.strip())
    if not found:
        return value.strip()
    day, month, year = (int(part) for part in found.groups())
    if month == 0:
        return f"{year:04d}"
    if day == 0:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}"


def _text(value):
    """A cell as text: a spreadsheet's date as ``dd/mm/yyyy`` (the CSV's way), a whole number
    without ``.0``."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _csv_rows(data):
    """``(row number, cells)`` of the CSV's non-empty rows; UTF-8 (with or without a byte-order
    mark), or Windows-1252 as older files were written."""
    try:
        reader = csv.reader(io.StringIO(list_text(data), newline=""))
        rows = [(n, [cell.strip() for cell in cells]) for n, cells in enumerate(reader, start=1)]
    except csv.Error as exc:
        raise ValueError(f"malformed CSV: {exc}") from None
    return [(n, cells) for n, cells in rows if any(cells)]


def _xlsx_rows(data):
    """``(row number, cells)`` of the workbook's first sheet, every cell as text."""
    try:
        values = first_sheet(data)
    except ValueError as exc:
        raise ValueError(f"not a readable XLSX workbook: {exc}") from None
    rows = [(n, [_text(cell) for cell in cells]) for n, cells in enumerate(values, start=1)]
    return [(n, cells) for n, cells in rows if any(cells)]
