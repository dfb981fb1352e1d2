"""The SIPRI Arms Transfers Database trade register (CSV) as transfers, their yearly parts
and SIPRI's claims.

The file, as the database's web form exports it: a preamble of about eleven lines, then the
header line (it starts with ``SIPRI AT Database ID``) and one line per deal *and delivery
year*; every line ends in ``;``, which is stripped before the line is read with the ``csv``
module. The bytes are read as UTF-8 (a byte-order mark is dropped); a file that is not valid
UTF-8 is read as Latin-1 (ISO 8859-1), and the report says so in a note.

What each row becomes (docs/data-loads.md has the table of categories):

- A deal is a transfer ``sipri-<id>``: supplier and recipient countries from SIPRI's names,
  ``items`` "Designation (Description)", the category from ``CATEGORIES``, the span from the
  first to the last delivery year (1 January to 31 December, ``date_precision`` ``year``), its
  quantity the sum of the numbers delivered and its value the sum of the TIV delivery values
  (``value_unit`` "SIPRI TIV (millions)"), status ``confirmed``, the SIPRI source.
- Each delivery year is a transfer ``sipri-<id>-<year>`` with ``part_of`` the deal, that
  year's number and TIV, and that year as its span.
- Estimates widen nothing: SIPRI gives one number and flags it as an estimate, without a
  range, so ``quantity_low`` = ``quantity_high`` = that number, and the description says
  which values are SIPRI's estimates (numbers delivered, delivery year, order date), with the
  order date, SIPRI's status (new, second hand), the TIV of a new item ("SIPRI estimate"),
  the TIV per item of the deal and whether it was produced locally. A year whose number is
  not given leaves the deal's ``quantity_high`` empty (not known), its known sum the low end.
- A non-state recipient (``Hezbollah (Lebanon)*``) is an actor of kind ``armed_group``
  (slug ``sipri-hezbollah-lebanon``) in the country named in parentheses, which is the
  transfer's recipient country; the same for a non-state supplier.
- An international organisation (``NATO**``) is an actor of kind ``organization``
  (``sipri-nato``). A transfer needs a supplier and a recipient country and an organisation
  has none, so its deals are not loaded: the actor is, and the note lists the deals.
- "unknown supplier(s)" / "unknown recipient(s)", a non-state party without a country in
  parentheses, and a name that resolves to no country we know are never guessed: those deals
  are left out and counted in the notes, with the names and the first line of each. A deal
  whose supplier and recipient come out as the same country is left out the same way.
- Each record has a place of its own (the loader tells records apart by it): the deal's first
  line and ``deal <id>``, a year's line with the year added, the claim's with ``claim``.
- One claim per deal, ``sipri-<id>-register``: SIPRI (actor ``sipri``, an organization)
  ``corroborates`` the transfer, on the source https://www.sipri.org/databases/armstransfers
  (a ``dataset``; an existing source with that URL is reused as it is).
- Historical states (Soviet Union, Yugoslavia, East Germany, Czechoslovakia...) get their
  ISO 3166-3 codes through ``CountryResolver``, which adds them to the country table.

A malformed row (a wrong number of fields, an ID, year or number that is not one, a TIV that
is not a decimal, an "is estimate" other than Yes/No/empty, an unknown armament category, two
rows of one deal that disagree on its parties or category, one delivery year twice) stops the
import before anything is written; each error names the file, the line and the column. All
records are built in memory and loaded at once through the validating loader, which writes
the findings of what it loaded. Deals and years are found again by their references, so
importing the same register twice changes nothing and a newer one updates changed deals and
adds new ones; a delivery year a newer register no longer has is kept, and counted in a note.
"""

import csv
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from django.utils.text import slugify

from apps.actors.models import Actor
from apps.evidence.models import Source
from apps.ingest.loader import RecordList, load_records
from apps.ingest.services.countries import CountryResolver
from apps.ingest.services.records import LoadError, LoadReport, Location, Record
from apps.transfers.models import Transfer

HEADER_START = "SIPRI AT Database ID"
COLUMNS = (
    "SIPRI AT Database ID",
    "Supplier",
    "Recipient",
    "Designation",
    "Description",
    "Armament category",
    "Order date",
    "Order date is estimate",
    "Numbers delivered",
    "Numbers delivered is estimate",
    "Delivery year",
    "Delivery year is estimate",
    "Status",
    "SIPRI estimate",
    "TIV deal unit",
    "TIV delivery values",
    "Local production",
)

# SIPRI's armament categories -> the transfer category tree (docs/data-model.md, "The category
# tree"). A leaf where the whole category falls under one; the parent ``arms`` where it mixes
# weapons and munitions.
CATEGORIES = {
    "Aircraft": "heavy_weapons",
    "Air-defence systems": "heavy_weapons",
    "Anti-submarine warfare": "arms",
    "Armoured vehicles": "heavy_weapons",
    "Artillery": "heavy_weapons",
    "Engines": "military_equipment",
    "Missiles": "missiles",
    "Naval weapons": "heavy_weapons",
    "Satellites": "military_equipment",
    "Sensors": "military_equipment",
    "Ships": "heavy_weapons",
    "Other": "arms",
}

# SIPRI's spellings the country table does not carry, as a name or code the resolver knows.
SIPRI_NAMES = {
    "uae": "AE",
    "bosnia herzegovina": "BA",
    "dr congo": "CD",
    "macedonia": "MK",
    "brunei": "BN",
    "cape verde": "CV",
    "micronesia": "FM",
    "west germany frg": "DE",
    "east germany gdr": "East Germany",
    "north yemen": "YE",
    "swaziland": "SZ",
    "east timor": "TL",
    "uk": "GB",
    "saint vincent": "VC",
}
UNKNOWN = re.compile(r"^unknown (supplier|recipient)\(s\)$", re.IGNORECASE)
NON_STATE = re.compile(r"^(?P<name>.*?)\s*\((?P<country>[^()]*)\)\s*$")

SOURCE_URL = "https://www.sipri.org/databases/armstransfers"
SOURCE = {
    "url": SOURCE_URL,
    "title": "SIPRI Arms Transfers Database",
    "publisher": "Stockholm International Peace Research Institute",
    "kind": "dataset",
    "language": "en",
}
SIPRI_ACTOR = {
    "slug": "sipri",
    "kind": "organization",
    "name": "Stockholm International Peace Research Institute",
    "aliases": ["SIPRI"],
    "country": "SE",
}
VALUE_UNIT = "SIPRI TIV (millions)"
QUANTITY_UNIT = "units"
THOUSANDTH = Decimal("0.001")


@dataclass
class Row:
    line: int
    deal: int
    supplier: str
    recipient: str
    designation: str
    description: str
    category: str
    order_year: int | None
    order_estimate: bool
    number: int | None
    number_estimate: bool
    year: int | None
    year_estimate: bool
    status: str
    new_tiv: str
    unit_tiv: Decimal | None
    tiv: Decimal | None
    local_production: str


@dataclass
class Register:
    name: str
    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    notes: list = field(default_factory=list)


def decode(data):
    """The text of the file and the encoding it was read in."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def parse_register(data, name="SIPRI register"):
    """Parse the CSV bytes into rows; every malformed value is an error naming line and column."""
    text, encoding = decode(data)
    register = Register(name)
    if encoding != "utf-8":
        register.notes.append(f"{name}: not valid UTF-8, read as Latin-1 (ISO 8859-1)")
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.lstrip().startswith(HEADER_START)), None)
    if start is None:
        register.errors.append(LoadError(Location(name), "", "", f"no header line starting {HEADER_START!r}"))
        return register
    header = next(csv.reader([_strip(lines[start])]))
    header = [column.strip() for column in header]
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        register.errors.append(
            LoadError(Location(name, f"line {start + 1}"), "", "", f"missing column(s): {', '.join(missing)}")
        )
        return register
    index = {column: header.index(column) for column in COLUMNS}
    for number, line in enumerate(lines[start + 1 :], start=start + 2):
        if not line.strip() or not line.strip().strip(";").strip():
            continue
        values = next(csv.reader([_strip(line)]))
        if len(values) != len(header):
            register.errors.append(
                LoadError(
                    Location(name, f"line {number}"), "", "", f"{len(values)} fields, the header has {len(header)}"
                )
            )
            continue
        row, problems = _row(number, {column: values[i].strip() for column, i in index.items()})
        register.errors.extend(LoadError(Location(name, f"line {number}"), "", col, msg) for col, msg in problems)
        if not problems:
            register.rows.append(row)
    if not register.rows and not register.errors:
        register.errors.append(LoadError(Location(name), "", "", "the register has no rows"))
    return register


def _strip(line):
    line = line.rstrip("\r\n").rstrip()
    return line[:-1] if line.endswith(";") else line


def _row(line, cells):
    problems = []

    def integer(column, required=False):
        value = cells[column].rstrip("?").strip()
        if not value:
            if required:
                problems.append((column, "is empty"))
            return None
        if not value.isdigit():
            problems.append((column, f"{cells[column]!r} is not a whole number"))
            return None
        return int(value)

    def year(column):
        value = integer(column)
        if value is not None and not 1900 <= value <= 2100:
            problems.append((column, f"{cells[column]!r} is not a year"))
            return None
        return value

    def decimal(column):
        value = cells[column].rstrip("?").strip()
        if not value:
            return None
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or number < 0:
            problems.append((column, f"{cells[column]!r} is not a TIV value"))
            return None
        return number.quantize(THOUSANDTH, rounding=ROUND_HALF_EVEN)

    def flag(column, value_column):
        value = cells[column].casefold()
        if value not in ("", "yes", "no"):
            problems.append((column, f"{cells[column]!r} is not Yes, No or empty"))
        return value == "yes" or cells[value_column].endswith("?")

    deal = integer("SIPRI AT Database ID", required=True)
    for column in ("Supplier", "Recipient"):
        if not cells[column]:
            problems.append((column, "is empty"))
    category = cells["Armament category"]
    if category not in CATEGORIES:
        problems.append(("Armament category", f"{category!r} is not one of SIPRI's categories"))
    row = Row(
        line=line,
        deal=deal,
        supplier=cells["Supplier"],
        recipient=cells["Recipient"],
        designation=cells["Designation"],
        description=cells["Description"],
        category=category,
        order_year=year("Order date"),
        order_estimate=flag("Order date is estimate", "Order date"),
        number=integer("Numbers delivered"),
        number_estimate=flag("Numbers delivered is estimate", "Numbers delivered"),
        year=year("Delivery year"),
        year_estimate=flag("Delivery year is estimate", "Delivery year"),
        status=cells["Status"],
        new_tiv=cells["SIPRI estimate"],
        unit_tiv=decimal("TIV deal unit"),
        tiv=decimal("TIV delivery values"),
        local_production=cells["Local production"],
    )
    return row, problems


@dataclass
class Party:
    """One side of a deal: a country code (None: not known) and the actor, if any."""

    country: str | None
    actor: dict | None = None
    why: str = ""


class Parties:
    """SIPRI's names of suppliers and recipients resolved once each."""

    def __init__(self, countries):
        self.countries = countries
        self.seen = {}
        self.actors = {}

    def country(self, name):
        key = re.sub(r"[^a-z0-9]+", " ", name.casefold()).strip()
        return self.countries.code(SIPRI_NAMES.get(key, name))

    def __call__(self, name):
        if name not in self.seen:
            self.seen[name] = self._resolve(name)
        return self.seen[name]

    def _resolve(self, name):
        if UNKNOWN.match(name):
            return Party(None, why=name)
        if name.endswith("**"):
            label = name[:-2].strip()
            actor = self._actor(label, name, "organization", None)
            return Party(None, actor, f"{name}: an international organisation has no country")
        if name.endswith("*"):
            label = name[:-1].strip()
            found = NON_STATE.match(label)
            code = self.country(found.group("country")) if found else None
            if code is None:
                return Party(None, why=f"{name}: a non-state party without a country we know")
            return Party(code, self._actor(found.group("name"), name, "armed_group", code))
        code = self.country(name)
        return Party(code, why="" if code else f"{name}: not a country name we know")

    def _actor(self, label, sipri_name, kind, country):
        slug = f"sipri-{slugify(sipri_name.rstrip('*'))}"[:200]
        self.actors[slug] = {
            "slug": slug,
            "kind": kind,
            "name": label,
            "country": country,
            "identifiers": {"sipri_name": sipri_name},
        }
        return self.actors[slug]


def _span(years):
    return (f"{min(years)}-01-01", f"{max(years)}-12-31") if years else (None, None)


def _describe(rows):
    """The description of a deal or a year: SIPRI's flags and values as SIPRI gives them."""
    first = rows[0]
    parts = []
    if first.order_year:
        parts.append(f"ordered {first.order_year}{' (SIPRI estimate)' if first.order_estimate else ''}")
    deliveries = [
        f"{row.year if row.year else 'year not given'}{' (year estimated)' if row.year_estimate else ''}: "
        f"{row.number if row.number is not None else 'number not given'}"
        f"{' (number estimated)' if row.number_estimate and row.number is not None else ''}"
        f"{f', TIV {_plain(row.tiv)}' if row.tiv is not None else ''}"
        for row in rows
    ]
    parts.append("delivered " + "; ".join(deliveries))
    if first.status:
        parts.append(f"status {first.status}")
    if first.new_tiv:
        parts.append(f"SIPRI estimate (TIV of a new item) {first.new_tiv}")
    if first.unit_tiv is not None:
        parts.append(f"TIV per item of the deal {_plain(first.unit_tiv)}")
    if first.local_production:
        parts.append(f"local production {first.local_production}")
    return f"SIPRI Arms Transfers Database, deal {first.deal}: " + ", ".join(parts) + "."


def _sum(values):
    known = [v for v in values if v is not None]
    low = sum(known) if known else None
    return low, (low if len(known) == len(values) else None)


DEAL_FIELDS = ("supplier", "recipient", "designation", "description", "category")


def sipri_records(register, *, countries=None):
    """The records a parsed register loads, the notes on what it left out, and the errors of
    deals whose rows disagree."""
    countries = countries or CountryResolver()
    parties = Parties(countries)
    name = register.name
    deals = defaultdict(list)
    for row in register.rows:
        deals[row.deal].append(row)
    errors, skipped, records = [], defaultdict(list), []
    transfers, parts, claims = [], [], []
    for deal, rows in deals.items():
        first = rows[0]
        where = Location(name, f"line {first.line}, deal {deal}")
        bad = False
        years = set()
        for row in rows[1:]:
            for attr in DEAL_FIELDS:
                if getattr(row, attr) != getattr(first, attr):
                    column = "Armament category" if attr == "category" else attr.capitalize()
                    errors.append(
                        LoadError(
                            Location(name, f"line {row.line}"),
                            "",
                            column,
                            f"deal {deal} has {getattr(first, attr)!r} on line {first.line}, {getattr(row, attr)!r} here",
                        )
                    )
                    bad = True
        for row in rows:
            if row.year is not None and row.year in years:
                errors.append(
                    LoadError(Location(name, f"line {row.line}"), "", "Delivery year", f"deal {deal}: {row.year} twice")
                )
                bad = True
            years.add(row.year)
        if bad:
            continue
        supplier, recipient = parties(first.supplier), parties(first.recipient)
        why = supplier.why if supplier.country is None else recipient.why if recipient.country is None else ""
        if not why and supplier.country == recipient.country:
            why = f"{first.supplier} to {first.recipient}: the same country ({supplier.country})"
        if why:
            skipped[why].append(first.line)
            continue
        rows.sort(key=lambda r: (r.year is None, r.year or 0))
        reference = f"sipri-{deal}"
        items = f"{first.designation} ({first.description})" if first.description else first.designation
        common = {
            "supplier": [supplier.country],
            "recipient": [recipient.country],
            "supplier_actor": [supplier.actor["slug"]] if supplier.actor else None,
            "recipient_actor": [recipient.actor["slug"]] if recipient.actor else None,
            "category": CATEGORIES[first.category],
            "items": items[:500],
            "quantity_unit": QUANTITY_UNIT,
            "value_unit": VALUE_UNIT,
            "date_precision": "year",
            "status": "confirmed",
            "sources": [[SOURCE_URL]],
        }
        quantity = _sum([row.number for row in rows])
        value = _sum([row.tiv for row in rows])
        started_on, ended_on = _span([row.year for row in rows if row.year is not None])
        transfers.append(
            Record(
                "transfers.transfer",
                {
                    "reference": reference,
                    **common,
                    "quantity_low": quantity[0],
                    "quantity_high": quantity[1],
                    "value_low": _text(value[0]),
                    "value_high": _text(value[1]),
                    "started_on": started_on,
                    "ended_on": ended_on,
                    "part_of": None,
                    "description": _describe(rows),
                },
                where,
            )
        )
        for row in rows:
            if row.year is None:
                continue
            started_on, ended_on = _span([row.year])
            parts.append(
                Record(
                    "transfers.transfer",
                    {
                        "reference": f"{reference}-{row.year}",
                        **common,
                        "quantity_low": row.number,
                        "quantity_high": row.number,
                        "value_low": _text(row.tiv),
                        "value_high": _text(row.tiv),
                        "started_on": started_on,
                        "ended_on": ended_on,
                        "part_of": [reference],
                        "description": _describe([row]),
                    },
                    Location(name, f"line {row.line}, deal {deal}, {row.year}"),
                )
            )
        claims.append(
            Record(
                "transfers.claim",
                {
                    "reference": f"{reference}-register",
                    "transfer": [reference],
                    "stance": "corroborates",
                    "claimant_actor": ["sipri"],
                    "claimant_country": None,
                    "made_on": None,
                    "summary": f"SIPRI's trade register records deal {deal}: {items}, "
                    f"{first.supplier} to {first.recipient}.",
                    "source": [SOURCE_URL],
                },
                Location(name, f"line {first.line}, deal {deal}, claim"),
            )
        )
    if errors:
        return [], [], errors
    _keep_added_sources(transfers + parts)
    # Countries first (historical states met), then actors and the source, then the transfers.
    records += [
        Record("geo.country", fields, Location(name, "historical state")) for fields in countries.country_records()
    ]
    if not Actor.objects.filter(slug="sipri").exists():
        records.append(Record("actors.actor", dict(SIPRI_ACTOR), Location(name, "actor sipri")))
    for fields in parties.actors.values():
        records.append(Record("actors.actor", fields, Location(name, f"actor {fields['identifiers']['sipri_name']}")))
    if not Source.objects.filter(url=SOURCE_URL).exists():
        records.append(Record("evidence.source", dict(SOURCE), Location(name, "source")))
    records += transfers + parts + claims
    notes = [
        f"not loaded: {len(lines)} deal(s), {why} (first at line {min(lines)})"
        for why, lines in sorted(skipped.items(), key=lambda item: min(item[1]))
    ]
    notes += _kept_years(deals, parts)
    return records, notes, []


def _keep_added_sources(records):
    """A record's sources are the register and whatever an editor added to the stored transfer:
    a re-import writes the list whole, so the added ones are read back into it, never dropped."""
    through = Transfer.sources.through.objects.filter(transfer__reference__startswith="sipri-")
    added = defaultdict(list)
    for reference, url in through.exclude(source__url=SOURCE_URL).values_list("transfer__reference", "source__url"):
        added[reference].append([url])
    for record in records:
        extra = added.get(record.fields["reference"])
        if extra:
            record.fields["sources"] = [[SOURCE_URL], *sorted(extra)]


def _kept_years(deals, parts):
    """Delivery years stored for these deals that the register no longer has: kept, and said."""
    wanted = {record.fields["reference"] for record in parts}
    prefixes = {f"sipri-{deal}" for deal in deals}
    stored = Transfer.objects.filter(reference__startswith="sipri-", part_of__isnull=False).values_list(
        "reference", "part_of__reference"
    )
    stored = [reference for reference, whole in stored if whole in prefixes]
    gone = sorted(set(stored) - wanted)
    return [f"kept: {len(gone)} delivery year(s) this register no longer has ({', '.join(gone[:10])})"] if gone else []


def _plain(value):
    return f"{value.normalize():f}"


def _text(value):
    return None if value is None else str(value)


def import_sipri(data, *, name="SIPRI register", user=None, dry_run=False, progress=False):
    """Parse and load one trade register; return the load report."""
    register = parse_register(data, name)
    if register.errors:
        return LoadReport(dry_run=dry_run, errors=register.errors, notes=register.notes)
    records, notes, errors = sipri_records(register)
    if errors:
        return LoadReport(dry_run=dry_run, errors=errors, notes=register.notes)
    report = load_records(
        [RecordList(records)], user=user, dry_run=dry_run, progress=progress, change_reason=f"import_sipri {name}"
    )
    report.notes = register.notes + notes + report.notes
    return report
