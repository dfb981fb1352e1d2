"""Australia's consolidated list of sanctions targets (DFAT's XLSX workbook) as actors and
designations (``manage.py import_list au FILE``).

The first sheet holds the list under a header row (``COLUMNS``, found by name wherever it
sits). A row whose ``Reference`` is a number (``2``) is an entry; ``2a``, ``2b``… are its
other names (``Name Type`` Alias, Original Script…), which become the entry's aliases. Each
entry is designated under the regime its ``Committees`` cell names, ``AU-<the committee>``:
``DPRK`` → ``AU-DPRK`` (targeting North Korea), ``Russia`` → ``AU-RUSSIA``, ``1988 (Taliban)``
→ ``AU-1988-TALIBAN``. A committee that opens with a Security Council resolution number is
Australia's implementation of that UN regime: its name says so, and it targets the country
the UN regime targets (none for the thematic ones: Taliban, ISIL and Al-Qaida). The
designation's reference is the entry's ``Reference``, also the actor's ``au_ref``.

What a row says of its target: ``Type`` (Individual → a person; Entity → a company or
organisation by its name, or a vessel when it cites an IMO number; Vessel), ``Citizenship`` →
the country (its first known name), ``Date of Birth``, ``Place of Birth`` and ``Address`` →
``identifiers`` lists (``birth_dates``, ``birth_places``, ``addresses``); the UN reference
``Listing Information`` or ``Additional Information`` cites ("KPi.033") → ``un_ref``, which
attaches the entry to the UN's actor; an IMO number they cite → the vessel's IMO number. The
listing and additional information are the designation's reason. ``Control Date`` (when DFAT
last amended the entry) is not kept: it is not when the target was listed, and the list's
date is not in the file, so an import withdraws nothing unless told the file is the whole
list (``--complete-as-of``).

Any unknown type, orphan alias row (``7a`` with no entry ``7``), IMO number whose check digit
is wrong or missing column is reported with its sheet row (as a spreadsheet shows it) and
column, and nothing is loaded. DFAT publishes the list for anyone to use; the importer's
user follows its terms on the DFAT site.
"""

import datetime
import re

from django.core.exceptions import ValidationError

from apps.actors.models import valid_imo
from apps.ingest.services.lists import Entry, ParsedList, first_sheet
from apps.ingest.services.records import LoadError, Location
from apps.ingest.services.un import REGIMES as UN_REGIMES
from apps.ingest.services.un import actor_kind

AUTHORITY = {
    "code": "AU",
    "name": "Australia (Department of Foreign Affairs and Trade)",
    "kind": "national",
    "country": "AU",
}
NAMESPACE = "au_ref"
LABEL = "AU"
# The workbook gives only each entry's Control Date, not its own: no date to delist on.
WHOLE_LIST = False

COLUMNS = (
    "Reference",
    "Name of Individual or Entity",
    "Type",
    "Name Type",
    "Date of Birth",
    "Place of Birth",
    "Citizenship",
    "Address",
    "Additional Information",
    "Listing Information",
    "Committees",
    "Control Date",
)
# The rows searched for the header (DFAT's workbook may open with a title).
HEADER_ROWS = 20
TYPES = {"individual": "person", "entity": None, "vessel": "vessel"}
_ENTRY = re.compile(r"^(\d+)$")
_ALIAS = re.compile(r"^(\d+)\s*([a-z]+)$", re.IGNORECASE)
_UN_REF = re.compile(r"\b([A-Z]{2}[ie]\.\d{3})\b")
# "IMO 9123456", "IMO number: 9123456", "IMO No. 9123456"; not a company's IMO number.
_IMO = re.compile(
    r"(?<!company )(?<!company number )\bIMO\b(?:\s*(?:number|no\.?))?\s*[:#]?\s*(\d{7})\b", re.IGNORECASE
)
_RESOLUTION = re.compile(r"^(\d{4})\b")
_UN_TARGETS = {code: target for code, target in UN_REGIMES.values()}


def _cell(value):
    """A cell as text: whole numbers without ".0", dates as ISO dates."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return " ".join(str(value).split()) if value is not None else ""


def _split(value):
    return list(dict.fromkeys(part.strip() for part in re.split(r"[;\n]", value) if part.strip()))


def committee_regime(committee, countries):
    """``(code, fields)`` of the regime a ``Committees`` text names."""
    words = re.findall(r"[A-Z0-9]+", committee.upper())
    code = f"AU-{'-'.join(words)}"[:64]
    resolution = _RESOLUTION.match(committee)
    if resolution:
        target = _UN_TARGETS.get(f"UN-{resolution.group(1)}")
        inside = re.search(r"\(([^()]+)\)", committee)
        if target is None and inside and resolution.group(1) not in ("1267", "1988", "1989", "2253"):
            target = countries.current(inside.group(1))
        name = f"Australian sanctions implementing the UN Security Council's {committee} regime"
    else:
        target = countries.current(committee) or countries.current(committee.split("(")[0].strip())
        name = f"Australian sanctions: {committee}"
    return code, {"name": name[:300], "target_country": target}


def _sheet_rows(data, name, errors):
    try:
        return first_sheet(data)
    except ValueError as exc:
        errors.append(LoadError(Location(name), "", "", f"not an XLSX workbook: {exc}"))
    return None


def _header(rows, name, errors):
    """``(index of the header row, {column: position})``, or None."""
    for index, row in enumerate(rows[:HEADER_ROWS]):
        cells = [_cell(value) for value in row]
        if "Reference" in cells and "Name of Individual or Entity" in cells:
            missing = [column for column in COLUMNS if column not in cells]
            for column in missing:
                errors.append(
                    LoadError(Location(name, f"row {index + 1}"), "", column, "the column is missing from the header")
                )
            return None if missing else (index, {column: cells.index(column) for column in COLUMNS})
    errors.append(
        LoadError(
            Location(name),
            "",
            "Reference",
            f"no header row (Reference, Name of Individual or Entity, …) in the first {HEADER_ROWS} rows",
        )
    )
    return None


def _entry(row, where, countries, errors, regimes):
    count = len(errors)
    reference, name = row["Reference"], row["Name of Individual or Entity"]
    if not name:
        errors.append(LoadError(where, "", "Name of Individual or Entity", "the entry has no name"))
    row_type = row["Type"].lower()
    if row_type not in TYPES:
        errors.append(LoadError(where, "", "Type", f"{row['Type']!r} is not Individual or Entity"))
    committees = _split(row["Committees"])
    if not committees:
        errors.append(LoadError(where, "", "Committees", "the entry names no regime"))
    codes = []
    for committee in committees:
        code, regime = committee_regime(committee, countries)
        regimes.setdefault(code, regime)
        codes.append(code)
    imo = ""
    for column in ("Additional Information", "Listing Information"):
        for number in _IMO.findall(row[column]):
            try:
                found = valid_imo(number, field=column)
            except ValidationError as exc:
                errors.append(LoadError(where, "", column, exc.message_dict[column][0]))
                continue
            if imo and found != imo:
                errors.append(LoadError(where, "", column, f"two IMO numbers, {imo} and {found}"))
            imo = found
    if len(errors) > count:
        return None
    if row_type == "individual":
        kind, imo = "person", ""
    else:
        kind = "vessel" if imo or row_type == "vessel" else actor_kind(False, name)
    identifiers = {}
    un_refs = list(dict.fromkeys(_UN_REF.findall(f"{row['Listing Information']} {row['Additional Information']}")))
    if un_refs:
        identifiers["un_ref"] = un_refs[0]
    for key, column in (("addresses", "Address"), ("birth_dates", "Date of Birth"), ("birth_places", "Place of Birth")):
        if values := _split(row[column]):
            identifiers[key] = values
    country = next((c for c in map(countries.current, _split(row["Citizenship"])) if c), None)
    reason = "\n".join(row[c] for c in ("Listing Information", "Additional Information") if row[c])
    return Entry(
        where=where,
        reference=reference,
        kind=kind,
        name=name[:500],
        regimes=codes,
        country=country,
        reason=reason,
        identifiers=identifiers,
        imo=imo,
    )


def parse(data, name, *, countries):
    """Read the workbook's bytes: the entries, the regimes they are listed under, and the errors."""
    errors, notes, regimes = [], [], {}
    rows = _sheet_rows(data, name, errors)
    if rows is None:
        return ParsedList(None, {}, [], errors)
    header = _header(rows, name, errors)
    if header is None:
        return ParsedList(None, {}, [], errors)
    start, positions = header
    entries, aliases, refused = {}, [], set()
    for index in range(start + 1, len(rows)):
        cells = rows[index]
        row = {column: _cell(cells[at]) if at < len(cells) else "" for column, at in positions.items()}
        if not any(row.values()):
            continue
        reference = row["Reference"]
        where = Location(name, f"row {index + 1} (Reference {reference or '?'})")
        if _ENTRY.match(reference):
            if reference in entries:
                errors.append(
                    LoadError(
                        where, "", "Reference", f"entry {reference} is already at {entries[reference].where.where}"
                    )
                )
                continue
            entry = _entry(row, where, countries, errors, regimes)
            if entry is None:
                refused.add(reference)
            else:
                entries[reference] = entry
        elif found := _ALIAS.match(reference):
            aliases.append((where, found.group(1), row["Name of Individual or Entity"]))
        else:
            errors.append(
                LoadError(where, "", "Reference", f"{reference!r} is not a reference (2, or 2a for its other names)")
            )
    for where, base, alias in aliases:
        entry = entries.get(base)
        if entry is None:
            if base not in refused:
                errors.append(
                    LoadError(where, "", "Reference", f"an other name of entry {base}, which the list does not hold")
                )
            continue
        if alias and alias != entry.name and alias not in entry.aliases:
            entry.aliases.append(alias)
    return ParsedList(None, regimes, list(entries.values()), errors, notes)
