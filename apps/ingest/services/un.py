"""The UN Security Council consolidated list (XML) as actors and designations.

Each ``INDIVIDUAL`` and ``ENTITY`` becomes an actor (a person, a company or an
organisation) and a designation under the regime of its ``UN_LIST_TYPE``; the records go
through the same validating loader as researchers' files. An actor is found again by its UN
``DATAID`` or reference, or on another list by the rules of ``matching``. Designations of UN
regimes that the new list no longer carries are marked delisted on the list's generation
date; nothing is deleted. The file is parsed with defusedxml: a DTD or an entity is refused.
"""

import datetime
import re
from contextlib import suppress
from dataclasses import dataclass, field
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from apps.ingest.services.countries import CountryResolver
from apps.ingest.services.matching import ActorIndex, document_id, list_actor_fields, load_list
from apps.ingest.services.records import LoadError, LoadReport, Location, Record, delisting_records
from apps.sanctions.models import Authority, Designation, Regime

AUTHORITY = {"code": "UN", "name": "United Nations Security Council", "kind": "intergovernmental"}

# UN_LIST_TYPE -> (regime code, target country or None for thematic regimes), as
# docs/data-model.md ("Official lists") gives them.
REGIMES = {
    "DPRK": ("UN-1718", "KP"),
    "Iran": ("UN-1737", "IR"),
    "Al-Qaida": ("UN-1267", None),
    "Taliban": ("UN-1988", None),
    "Iraq": ("UN-1518", "IQ"),
    "DRC": ("UN-1533", "CD"),
    "Libya": ("UN-1970", "LY"),
    "Somalia": ("UN-2713", "SO"),
    "Sudan": ("UN-1591", "SD"),
    "SouthSudan": ("UN-2206", "SS"),
    "CAR": ("UN-2127", "CF"),
    "Yemen": ("UN-2140", "YE"),
    "Haiti": ("UN-2653", "HT"),
    "GB": ("UN-2048", "GW"),
}
_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(Z|[+-]\d{2}:\d{2})?$")
_COMPANY_WORDS = re.compile(
    r"\b(COMPANY|CORPORATION|CORP|CO|LTD|LIMITED|LLC|INC|BANK|TRADING|INDUSTR\w*|ENTERPRISE|GROUP|SHIPPING|JSC|GMBH|S\.?A)\b",
    re.IGNORECASE,
)


def passport_ids(passports, countries, *, holder=None):
    """``["KP:745310010"]``: the passports of ``[(number, issuing country as written)]`` whose
    country is known (a passport number is only unique within its country); one that does
    not say its country is taken as issued by the holder's (``holder``: an ISO code, the
    nationality the list gives), when the list gives one."""
    found = []
    for number, country in passports:
        code = countries.code(country) if country else holder
        if code and number.strip() and document_id(code, number) not in found:
            found.append(document_id(code, number))
    return found


def regime_for(list_type):
    code, target = REGIMES.get(list_type, (f"UN-{list_type}", None))
    return code, target


def actor_kind(is_person, name):
    if is_person:
        return "person"
    return "company" if _COMPANY_WORDS.search(name) else "organization"


@dataclass
class UnEntry:
    where: str
    is_person: bool
    dataid: str
    reference: str
    list_type: str
    name: str
    listed_on: datetime.date | None
    aliases: list = field(default_factory=list)
    nationalities: list = field(default_factory=list)
    address_countries: list = field(default_factory=list)
    role: str = ""
    comments: str = ""
    details: dict = field(default_factory=dict)
    passports: list = field(default_factory=list)  # [(number, issuing country as written)]


@dataclass
class UnList:
    generated_on: datetime.date | None
    entries: list
    errors: list


def _text(element, tag):
    child = element.find(tag)
    return (child.text or "").strip() if child is not None and child.text else ""


def _values(element, tag):
    return [
        (v.text or "").strip()
        for node in element.findall(tag)
        for v in node.findall("VALUE")
        if v.text and v.text.strip()
    ]


def _date_of_birth(node):
    kind = _text(node, "TYPE_OF_DATE")
    if _text(node, "DATE"):
        return _text(node, "DATE")
    if _text(node, "YEAR"):
        return _text(node, "YEAR")
    if _text(node, "FROM_YEAR"):
        return f"{_text(node, 'FROM_YEAR')}-{_text(node, 'TO_YEAR')}" if kind == "BETWEEN" else _text(node, "FROM_YEAR")
    return ""


def _place(node, parts):
    return ", ".join(value for value in (_text(node, part) for part in parts) if value)


def parse_un_list(data, name="UN list"):
    """Parse the XML bytes; refuse anything that is not the consolidated list."""
    try:
        root = fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        return UnList(None, [], [LoadError(Location(name), "", "", f"unsafe XML refused: {exc}")])
    except ParseError as exc:
        return UnList(None, [], [LoadError(Location(name), "", "", f"malformed XML: {exc}")])
    if root.tag != "CONSOLIDATED_LIST":
        return UnList(
            None, [], [LoadError(Location(name), "", "", f"not the UN consolidated list (root element <{root.tag}>)")]
        )
    errors = []
    generated = (root.get("dateGenerated") or "")[:10]
    try:
        generated_on = datetime.date.fromisoformat(generated)
    except ValueError:
        generated_on = None
        errors.append(LoadError(Location(name), "", "", f"dateGenerated {root.get('dateGenerated')!r} is not a date"))
    entries = []
    for section, tag, is_person in (("INDIVIDUALS", "INDIVIDUAL", True), ("ENTITIES", "ENTITY", False)):
        for number, element in enumerate(root.findall(f"{section}/{tag}"), start=1):
            entry, problems = _parse_entry(element, is_person, f"{tag} {number}")
            errors.extend(
                LoadError(Location(name, entry.where if entry else f"{tag} {number}"), "", "", p) for p in problems
            )
            if entry and not problems:
                entries.append(entry)
    if not entries and not errors:
        errors.append(LoadError(Location(name), "", "", "the list has no INDIVIDUAL or ENTITY"))
    return UnList(generated_on, entries, errors)


def _parse_entry(element, is_person, where):
    problems = []
    dataid = _text(element, "DATAID")
    reference = _text(element, "REFERENCE_NUMBER")
    list_type = _text(element, "UN_LIST_TYPE")
    where = f"{where} (DATAID {dataid or '?'}, {reference or 'no reference'})"
    names = [_text(element, tag) for tag in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")]
    name = " ".join(part for part in names if part)
    for value, label in (
        (dataid, "DATAID"),
        (reference, "REFERENCE_NUMBER"),
        (list_type, "UN_LIST_TYPE"),
        (name, "FIRST_NAME"),
    ):
        if not value:
            problems.append(f"{label} is missing")
    listed_on = None
    if _text(element, "LISTED_ON"):
        # xs:date, sometimes with a time-zone offset: "2015-04-07-04:00".
        found = _DATE.match(_text(element, "LISTED_ON"))
        with suppress(ValueError):
            listed_on = datetime.date.fromisoformat(found.group(1)) if found else None
        if listed_on is None:
            problems.append(f"LISTED_ON {_text(element, 'LISTED_ON')!r} is not a date")
    prefix = "INDIVIDUAL" if is_person else "ENTITY"
    aliases = []
    for alias in element.findall(f"{prefix}_ALIAS"):
        value = _text(alias, "ALIAS_NAME").strip().strip('"').strip()
        if value and value not in aliases and value != name:
            aliases.append(value)
    original = _text(element, "NAME_ORIGINAL_SCRIPT")
    if original and original not in aliases:
        aliases.append(original)
    addresses = [
        _place(node, ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY"))
        for node in element.findall(f"{prefix}_ADDRESS")
    ]
    details = {"addresses": [a for a in addresses if a]}
    if is_person:
        details["birth_dates"] = [
            d for d in (_date_of_birth(n) for n in element.findall("INDIVIDUAL_DATE_OF_BIRTH")) if d
        ]
        details["birth_places"] = [
            p
            for p in (
                _place(n, ("CITY", "STATE_PROVINCE", "COUNTRY")) for n in element.findall("INDIVIDUAL_PLACE_OF_BIRTH")
            )
            if p
        ]
    role = "; ".join(_values(element, "TITLE") + _values(element, "DESIGNATION"))[:300]
    passports = [
        (_text(node, "NUMBER"), _text(node, "ISSUING_COUNTRY") or _text(node, "COUNTRY_OF_ISSUE"))
        for node in element.findall("INDIVIDUAL_DOCUMENT")
        if "passport" in _text(node, "TYPE_OF_DOCUMENT").lower() and _text(node, "NUMBER")
    ]
    entry = UnEntry(
        where=where,
        is_person=is_person,
        dataid=dataid,
        reference=reference,
        list_type=list_type,
        name=name[:500],
        listed_on=listed_on,
        aliases=aliases,
        nationalities=_values(element, "NATIONALITY"),
        address_countries=[_text(n, "COUNTRY") for n in element.findall(f"{prefix}_ADDRESS") if _text(n, "COUNTRY")],
        role=role,
        comments=_text(element, "COMMENTS1"),
        details={key: value for key, value in details.items() if value},
        passports=passports,
    )
    return entry, problems


def un_records(un_list, name, *, index=None, countries=None, proposals=None):
    """The records a parsed list loads, and the cross-list matches it made and left apart."""
    index = index or ActorIndex.from_database()
    proposals = [] if proposals is None else proposals
    countries = countries or CountryResolver()
    notes = []
    records = []

    def add(label, fields, where=""):
        records.append(Record(label, fields, Location(name, where)))

    if not Authority.objects.filter(code="UN").exists():
        add("sanctions.authority", dict(AUTHORITY), "authority UN")
    existing_regimes = set(Regime.objects.filter(code__startswith="UN-").values_list("code", flat=True))
    for list_type in sorted({entry.list_type for entry in un_list.entries}):
        code, target = regime_for(list_type)
        if code not in existing_regimes:
            add(
                "sanctions.regime",
                {"code": code, "name": f"UN sanctions: {list_type}", "authority": ["UN"], "target_country": target},
                f"regime {code}",
            )
    listed = set()
    for entry in un_list.entries:
        code, _ = regime_for(entry.list_type)
        listed.add((code, entry.reference))
        country = next((c for c in map(countries.code, entry.nationalities or entry.address_countries) if c), None)
        identifiers = {"un_ref": entry.reference, "un_dataid": entry.dataid, **entry.details}
        nationality = country if entry.nationalities else None  # the country read from them
        if passports := passport_ids(entry.passports, countries, holder=nationality):
            identifiers["passports"] = passports
        fields = list_actor_fields(
            index,
            {
                "kind": actor_kind(entry.is_person, entry.name),
                "name": entry.name,
                "aliases": entry.aliases,
                "country": country,
                "role": entry.role,
                "identifiers": identifiers,
            },
            own=index.by_id("un_dataid", entry.dataid) or index.by_id("un_ref", entry.reference),
            namespace="un_ref",
            reference=entry.reference,
            label=f"UN {entry.reference}",
            notes=notes,
            proposals=proposals,
        )
        add("actors.actor", fields, entry.where)
        add(
            "sanctions.designation",
            {
                "regime": [code],
                "reference": entry.reference,
                "actor": [fields["slug"]],
                "listed_on": entry.listed_on.isoformat() if entry.listed_on else None,
                "delisted_on": None,
                "reason": entry.comments,
            },
            entry.where,
        )
    if un_list.generated_on:
        gone = (
            Designation.objects.filter(regime__authority__code="UN", delisted_on__isnull=True)
            .select_related("regime")
            .values_list("regime__code", "reference")
        )
        withdrawn, delisted = delisting_records([key for key in gone if key not in listed], un_list.generated_on, name)
        records += withdrawn
        notes += delisted
    return records, notes


def import_un_list(data, *, name="UN list", user=None, dry_run=False, progress=False):
    """Parse and load one version of the list; return the load report."""
    un_list = parse_un_list(data, name)
    if un_list.errors:
        return LoadReport(dry_run=dry_run, errors=un_list.errors)
    proposals = []
    records, notes = un_records(un_list, name, proposals=proposals)
    # Actors first appear once per entry; an actor on two UN lists is written once, merged.
    return load_list(
        records,
        proposals,
        notes,
        user=user,
        dry_run=dry_run,
        progress=progress,
        change_reason=f"import_un_list {name}",
    )
