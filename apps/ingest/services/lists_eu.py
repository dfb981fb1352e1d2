"""The EU Financial Sanctions Files (the consolidated list of the Council's financial
sanctions, XML) as actors and designations.

Root ``export`` (its ``generationDate`` dates the version: the file is the whole list, so a
target missing from a newer file is delisted on that date), one ``sanctionEntity`` per target.
The published files put every element in the namespace ``http://eu.europa.ec/fpi/fsd/export``;
elements are matched by their local name, so a file with or without it reads the same.

What each target becomes:

- **Who.** ``subjectType`` ``person`` → a person, ``enterprise`` → a company or an
  organisation by its name (as for the UN list), or a *vessel* when the EU gives the ship's
  IMO number (an ``identification`` of type ``imo``, or "IMO 1234567" in a ``remark``) and
  the entity is not itself a company (shipowners and managers carry an IMO *company* number,
  which makes them a company, not a ship). A vessel's IMO number must pass its check digit; its flag
  ("Flag: DPRK" in a remark) is its country.
- **Names.** Each ``nameAlias`` (``wholeName``, or its first, middle and last names): the
  first ``strong="true"`` one written without a language is the actor's name, the others its
  aliases.
- **Identifiers.** The list's own ``logicalId`` is the designation's reference and the actor's
  ``eu_ref`` (it stays the same from one file to the next); ``euReferenceNumber`` is kept as
  ``eu_reference_number``; ``unitedNationId`` (the UN reference of a target the EU lists after
  the Security Council) is ``un_ref``, which attaches the target to the actor the UN list gave
  it. Passports and registration numbers with their issuing country become
  ``passports``/``registrations`` (``"KP:381310014"``), which match an actor another list
  gives the same number; birth dates, addresses and other documents are kept as lists.
- **Regimes.** Every ``regulation`` names its ``programme`` (``PRK``, ``UKR``, ``TERR``…): the
  target is designated under ``EU-<PROGRAMME>`` for each programme its regulations name, listed
  on its ``designationDate``; the ``remark`` is the designation's reason. A programme named by a
  country code targets that country (``UKR``, the measures over Russia's actions against
  Ukraine, targets Russia); the thematic ones (terrorism, cyber-attacks, human rights) none.

Any error (a date that is not one, a bad IMO number, a target without a name or a programme)
names the ``sanctionEntity`` (its position and ``logicalId``) and the attribute, and then
nothing is written. The file is parsed with defusedxml: a DTD or an entity is refused.
"""

import datetime
import re
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.core.exceptions import ValidationError

from apps.actors.models import valid_imo
from apps.ingest.services.lists import Entry, ParsedList
from apps.ingest.services.records import LoadError, Location
from apps.ingest.services.un import actor_kind

# The EU's member states, whom the Council's measures bind (``Authority.members``).
MEMBER_STATES = [
    "AT",
    "BE",
    "BG",
    "CY",
    "CZ",
    "DE",
    "DK",
    "EE",
    "ES",
    "FI",
    "FR",
    "GR",
    "HR",
    "HU",
    "IE",
    "IT",
    "LT",
    "LU",
    "LV",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SE",
    "SI",
    "SK",
]
AUTHORITY = {
    "code": "EU",
    "name": "European Union (Council of the European Union)",
    "kind": "supranational",
    "country": None,
    "binds": "own_jurisdiction",
    "members": [[code] for code in MEMBER_STATES],
}
NAMESPACE = "eu_ref"
LABEL = "EU"
# The file is the whole list as generated on its ``generationDate``.
WHOLE_LIST = True

# Programmes whose code is a country's but whose targets are another's: the measures "in
# respect of actions undermining the territorial integrity of Ukraine" list Russia's officials,
# companies and proxies.
PROGRAMME_TARGETS = {"UKR": "RU"}
# Identification types kept as strong identifiers (``"CC:number"``) and as plain lists.
PASSPORT_TYPES = {"passport"}
REGISTRATION_TYPES = {"regnumber"}
DOCUMENT_LISTS = {"fiscalcode": "tax_numbers", "swiftbic": "swift_bics"}
_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:\d{2})?$")
_REMARK_IMO = re.compile(r"\bIMO(?:\s+(?:number|no\.?))?\s*[:.]?\s*(\d{7})\b", re.IGNORECASE)
_FLAG = re.compile(r"\bFlag\s*:?\s*([^.;,()]+)", re.IGNORECASE)
_COMPANY_IMO = re.compile(r"\b(company|owner|operator|manager)\b", re.IGNORECASE)
# Names of companies (legal forms and the words of shipping firms): an IMO number they carry
# is the company's, not a ship's.
_COMPANY_NAME = re.compile(
    r"\b(COMPANY|CORPORATION|CORP|CO|LTD|LIMITED|LLC|LLP|INC|JSC|PJSC|OJSC|CJSC|AO|PAO|OAO|ZAO|OOO|GMBH|AG|BV|"
    r"S\.?A|S\.?P\.?A|SRL|PTE|BHD|FZE|FZCO|FZ-LLC|DMCC|SHIPPING|SHIPMANAGEMENT|MARITIME|NAVIGATION|"
    r"MANAGEMENT|LOGISTICS|GROUP|HOLDINGS?|TRADING)\b",
    re.IGNORECASE,
)


def _local(tag):
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(element, name):
    return [child for child in element if _local(child.tag) == name]


def _attr(element, name):
    return (element.get(name) or "").strip()


def _text(element):
    return " ".join((element.text or "").split())


class _Problems:
    """The errors of one ``sanctionEntity``, each naming it and the attribute."""

    def __init__(self, location):
        self.location = location
        self.errors = []

    def add(self, field, message):
        self.errors.append(LoadError(self.location, "", field, message))


def _date(value, problems, field):
    """An ``xs:date`` (or ``xs:dateTime``) attribute as a date; None when absent."""
    if not value:
        return None
    found = _DATE.match(value)
    if found:
        try:
            return datetime.date.fromisoformat(found.group(1))
        except ValueError:
            pass
    if problems is not None:
        problems.add(field, f"{value!r} is not a date (YYYY-MM-DD)")
    return None


def _name_of(alias):
    whole = " ".join(_attr(alias, "wholeName").split())
    if whole:
        return whole
    parts = (_attr(alias, key) for key in ("firstName", "middleName", "lastName"))
    return " ".join(" ".join(part for part in parts if part).split())


def _names(entity):
    """The target's names, its main name first: strong ones before weak ones, and among them
    those written without a language (the Latin form the regulation gives) first."""
    aliases = _children(entity, "nameAlias")
    ranked = sorted(
        enumerate(aliases),
        key=lambda item: (
            _attr(item[1], "strong").lower() != "true",
            _attr(item[1], "nameLanguage").upper() not in ("", "EN"),
            item[0],
        ),
    )
    names = []
    for _, alias in ranked:
        name = _name_of(alias)
        if name and name not in names:
            names.append(name)
    return names


def _address(node):
    parts = [_attr(node, key) for key in ("street", "poBox", "city", "zipCode", "region", "place")]
    country = _attr(node, "countryDescription")
    if country and country.upper() != "UNKNOWN":
        parts.append(country)
    return ", ".join(part for part in parts if part)


def _birth_date(node):
    if _attr(node, "birthdate"):
        return _attr(node, "birthdate")
    year, month, day = (_attr(node, key) for key in ("year", "monthOfYear", "dayOfMonth"))
    if year and month and day:
        return f"{year}-{int(month):02d}-{int(day):02d}" if month.isdigit() and day.isdigit() else year
    return year


def _add(identifiers, key, value):
    if value and value not in identifiers.setdefault(key, []):
        identifiers[key].append(value)


def _country(node, countries):
    code = _attr(node, "countryIso2Code").upper()
    return countries.code(code) if len(code) == 2 and code.isalpha() else None


def _looks_like_company(name, description):
    return bool(_COMPANY_IMO.search(description) or _COMPANY_NAME.search(name))


def _imo(entity, name, problems):
    """The vessel's IMO number (validated), or "" when the target is not a ship; and an IMO
    company number the EU gives a shipping company, to be kept as an identifier."""
    candidates = []
    for node in _children(entity, "identification"):
        if _attr(node, "identificationTypeCode").lower() == "imo":
            number = _attr(node, "number") or _attr(node, "latinNumber")
            description = " ".join(
                [_attr(node, "identificationTypeDescription"), *(_text(r) for r in _children(node, "remark"))]
            )
            candidates.append((number, description, "identification.number"))
    for remark in _children(entity, "remark"):
        text = _text(remark)
        for found in _REMARK_IMO.finditer(text):
            candidates.append((found.group(1), text[max(0, found.start() - 30) : found.start()], "remark"))
    vessel, company = "", ""
    for number, description, field in candidates:
        if _looks_like_company(name, description):
            company = company or number
            continue
        try:
            imo = valid_imo(number)
        except ValidationError:
            problems.add(field, f"{number!r} is not an IMO number (seven digits, the last the check digit)")
            continue
        if vessel and imo != vessel:
            problems.add(field, f"two IMO numbers for one vessel: {vessel} and {imo}")
        vessel = vessel or imo
    return vessel, company


def _regulations(entity, problems):
    """``[(programme, {numberTitle, publicationDate, entryIntoForceDate, publicationUrl})]``."""
    found = []
    for number, node in enumerate(_children(entity, "regulation"), start=1):
        programme = _attr(node, "programme").upper()
        if not programme:
            problems.add("regulation.programme", f"regulation {number} names no programme")
            continue
        if not re.fullmatch(r"[A-Z0-9_-]{1,40}", programme):
            problems.add("regulation.programme", f"{programme!r} is not a programme code")
            continue
        url = _attr(node, "publicationUrl") or next(
            (_text(child) for child in _children(node, "publicationUrl") if _text(child)), ""
        )
        found.append(
            (
                programme,
                {
                    "number_title": _attr(node, "numberTitle"),
                    "published_on": _date(_attr(node, "publicationDate"), problems, "regulation.publicationDate"),
                    "in_force_on": _date(_attr(node, "entryIntoForceDate"), problems, "regulation.entryIntoForceDate"),
                    "url": url,
                },
            )
        )
    return found


def _entry(entity, countries, problems):
    logical_id = _attr(entity, "logicalId")
    if not logical_id:
        problems.add("logicalId", "the entity has no logicalId")
    elif not re.fullmatch(r"[0-9A-Za-z._-]{1,64}", logical_id):
        problems.add("logicalId", f"{logical_id!r} is not a list reference")
    listed_on = _date(_attr(entity, "designationDate"), problems, "designationDate")
    subject = next(iter(_children(entity, "subjectType")), None)
    code = _attr(subject, "code").lower() if subject is not None else ""
    if code not in ("person", "enterprise"):
        problems.add("subjectType.code", f"{code!r} is neither person nor enterprise" if code else "missing")
    names = _names(entity)
    if not names:
        problems.add("nameAlias.wholeName", "the entity has no name")
    regulations = _regulations(entity, problems)
    if not regulations and not any(e.field.startswith("regulation.") for e in problems.errors):
        problems.add("regulation.programme", "the entity is listed under no regulation")
    name = names[0][:500] if names else ""
    imo, company_imo = ("", "") if code == "person" else _imo(entity, name, problems)

    identifiers = {}
    if _attr(entity, "euReferenceNumber"):
        identifiers["eu_reference_number"] = _attr(entity, "euReferenceNumber")
    if _attr(entity, "unitedNationId"):
        identifiers["un_ref"] = _attr(entity, "unitedNationId")
    if company_imo:
        identifiers["imo_company"] = company_imo
    for node in _children(entity, "identification"):
        kind = _attr(node, "identificationTypeCode").lower()
        number = _attr(node, "number") or _attr(node, "latinNumber")
        if not number or kind == "imo":
            continue
        country = _country(node, countries)
        if kind in PASSPORT_TYPES | REGISTRATION_TYPES and country:
            _add(identifiers, "passports" if kind in PASSPORT_TYPES else "registrations", f"{country}:{number.upper()}")
        elif kind in DOCUMENT_LISTS:
            _add(identifiers, DOCUMENT_LISTS[kind], f"{country}:{number}" if country else number)
        else:
            described = _attr(node, "identificationTypeDescription") or kind or "document"
            _add(identifiers, "documents", f"{described} {number}" + (f" ({country})" if country else ""))
    for node in _children(entity, "birthdate"):
        _add(identifiers, "birth_dates", _birth_date(node))
        _add(identifiers, "birth_places", _address(node))
    for node in _children(entity, "address"):
        _add(identifiers, "addresses", _address(node))

    citizenships = [c for c in (_country(n, countries) for n in _children(entity, "citizenship")) if c]
    addresses = [c for c in (_country(n, countries) for n in _children(entity, "address")) if c]
    country = next(iter(citizenships or ([] if code == "person" else addresses)), None)
    if code == "person":
        kind = "person"
    elif imo:
        kind = "vessel"
    elif company_imo:
        # IMO company numbers are given to shipowners and ship managers.
        kind = "company"
    else:
        kind = actor_kind(False, name)
    flags = []
    if kind == "vessel":
        # "Flag: DPRK" in a remark: the flag it flew when listed.
        for remark in _children(entity, "remark"):
            for found in _FLAG.finditer(_text(remark)):
                flag = countries.code(found.group(1).strip())
                if flag and flag not in [f["country"] for f in flags]:
                    flags.append({"country": flag, "from": None, "to": None})
        country = flags[0]["country"] if flags else country
    functions = [_attr(alias, "function") for alias in _children(entity, "nameAlias") if _attr(alias, "function")]
    reason = "\n".join(_text(remark) for remark in _children(entity, "remark") if _text(remark))
    entry = Entry(
        where=problems.location,
        reference=logical_id,
        kind=kind,
        name=name,
        regimes=list(dict.fromkeys(f"EU-{programme}" for programme, _ in regulations)),
        aliases=[alias[:500] for alias in names[1:]],
        country=country,
        role=next(iter(functions), "")[:300],
        listed_on=listed_on,
        reason=reason,
        identifiers=identifiers,
        imo=imo,
        flags=flags,
    )
    return entry, regulations


def _regime(programme, regulations, countries):
    """The regime of one programme: its target country, and the regulations the file cites
    for it (the earliest gives its name and address)."""
    cited = sorted(
        {(r["published_on"] or datetime.date.max, r["number_title"], r["in_force_on"], r["url"]) for r in regulations}
    )
    first = cited[0]
    if programme in PROGRAMME_TARGETS:
        target = PROGRAMME_TARGETS[programme]
    elif len(programme) == 3 and programme.isalpha():
        target = countries.code(programme)
    else:
        target = None
    lines = []
    for published, number_title, in_force, url in cited:
        dates = []
        if published != datetime.date.max:
            dates.append(f"published {published.isoformat()}")
        if in_force:
            dates.append(f"in force {in_force.isoformat()}")
        lines.append("; ".join(part for part in [number_title or "(no number)", *dates, url] if part))
    name = f"EU sanctions: {programme}" + (f" ({first[1]})" if first[1] else "")
    return {
        "name": name[:300],
        "target_country": target,
        "url": first[3][:1000],
        "description": "Regulations the EU Financial Sanctions Files cite for this programme:\n" + "\n".join(lines),
    }


def parse(data, name, *, countries):
    """Read one version of the EU list (``data``: the XML file's bytes)."""
    try:
        root = fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        return ParsedList(None, {}, [], [LoadError(Location(name), "", "", f"unsafe XML refused: {exc}")])
    except ParseError as exc:
        return ParsedList(None, {}, [], [LoadError(Location(name), "", "", f"malformed XML: {exc}")])
    if _local(root.tag) != "export":
        return ParsedList(
            None,
            {},
            [],
            [
                LoadError(
                    Location(name), "", "", f"not the EU Financial Sanctions Files (root element <{_local(root.tag)}>)"
                )
            ],
        )
    errors = []
    header = _Problems(Location(name, "export"))
    if not _attr(root, "generationDate"):
        header.add("generationDate", "missing: the file does not say when it was generated")
    as_of = _date(_attr(root, "generationDate"), header, "generationDate")
    errors += header.errors
    entries, by_programme, seen = [], {}, {}
    for number, entity in enumerate(_children(root, "sanctionEntity"), start=1):
        logical_id = _attr(entity, "logicalId") or "?"
        problems = _Problems(Location(name, f"sanctionEntity {number} (logicalId {logical_id})"))
        entry, regulations = _entry(entity, countries, problems)
        if entry.reference and entry.reference in seen:
            problems.add("logicalId", f"logicalId {entry.reference} is already {seen[entry.reference]}")
        seen.setdefault(entry.reference, f"sanctionEntity {number}")
        errors += problems.errors
        if not problems.errors:
            entries.append(entry)
            for programme, regulation in regulations:
                by_programme.setdefault(programme, []).append(regulation)
    regimes = {
        f"EU-{programme}": _regime(programme, regulations, countries) for programme, regulations in by_programme.items()
    }
    return ParsedList(as_of, regimes, entries, errors)
