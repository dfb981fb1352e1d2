"""Official sanctions lists, one framework: each list's file turned into actors and designations.

A *source* is one module (``apps/ingest/services/lists_<name>.py`` or an older importer) that
reads one publisher's file and says, for every target it lists, who it is (an ``Entry``) and
under which of the publisher's regimes (``regimes``). The framework does the rest the same way
for every list:

- **Versions.** Designations are keyed by ``(regime code, the list's own reference)``; a newer
  file updates what changed and marks what left it as delisted on the list's date (never
  deletes). A list whose file does not say when it was published (the US consolidated list,
  Australia's) delists only when told the file is the whole list: ``complete_as_of``.
- **One actor across lists.** An entry is attached to the actor another list gave it when a
  strong identifier says they are one (the UN reference the entry cites, an IMO number, a
  passport or registration number with its country: ``apps.ingest.services.matching``); when
  only the names agree the entry becomes an actor of its own and a proposal is stored for an
  editor (``actors.MatchProposal``). Nothing is merged on a name alone.
- **Errors** name the file, the row or element and the field; a file with any error writes
  nothing (the loader's all-or-nothing).
"""

import datetime
import importlib
import io
from dataclasses import dataclass, field

from apps.ingest.services.countries import CountryResolver
from apps.ingest.services.matching import ActorIndex, list_actor_fields, load_list
from apps.ingest.services.records import LoadError, LoadReport, Location, Record, delisting_records
from apps.sanctions.models import Authority, Designation, Regime

# ``manage.py import_list <source>``: the module that reads each source's file.
SOURCES = {
    "uk": "apps.ingest.services.lists_uk",
    "us-csl": "apps.ingest.services.lists_us_csl",
    "au": "apps.ingest.services.lists_au",
    "eu": "apps.ingest.services.lists_eu",
}
# Read by their own importers (``import_un_list``, ``import_ofac_sdn``), which ``import_list``
# calls for these names.
ALIASES = ("un", "ofac")


@dataclass
class Entry:
    """One target of a list, as the list describes it.

    ``reference`` is the list's own id of the target (the designation's ``reference``, and the
    actor's identifier under the source's ``NAMESPACE``); ``regimes`` the codes of the regimes
    it is listed under (each a key of ``ParsedList.regimes``); ``reason`` the designation's
    reason, or None to keep the one stored (the list repeats what another import gives in
    full: the US consolidated list's SDN rows); ``identifiers`` what else the
    list says that identifies it (``un_ref`` when the list cites the UN reference, ``imo``,
    ``passports`` and ``registrations`` as ``"CC:number"`` strings, addresses and birth dates
    as lists); ``flags`` a vessel's flags, ``[{"country": "KP", "from": "2019-01-01" or None,
    "to": None}]``."""

    where: Location
    reference: str
    kind: str
    name: str
    regimes: list
    aliases: list = field(default_factory=list)
    country: str | None = None
    role: str = ""
    listed_on: datetime.date | None = None
    reason: str | None = ""
    identifiers: dict = field(default_factory=dict)
    imo: str = ""
    flags: list = field(default_factory=list)


@dataclass
class ParsedList:
    """A list's file read: its date (None when the file does not say), the regimes it names
    (``{code: {"name": ..., "target_country": "KP" or None, ...}}``, any other regime field
    allowed), its entries, and the errors that stop it from loading."""

    as_of: datetime.date | None
    regimes: dict
    entries: list
    errors: list = field(default_factory=list)
    notes: list = field(default_factory=list)


def list_text(data):
    """The text of a list's CSV file: UTF-8 (with or without a byte-order mark), else
    Windows-1252, as older files (OFAC's, OFSI's) were written."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def first_sheet(data):
    """The cells of a workbook's first sheet, row by row (python-calamine); a ``ValueError``
    saying why when the bytes are not a workbook it can read."""
    from python_calamine import CalamineError, CalamineWorkbook, WorksheetNotFound, XmlError, ZipError

    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    except (CalamineError, ZipError, XmlError, WorksheetNotFound, ValueError, OSError) as exc:
        raise ValueError(str(exc)) from None


def source_module(source):
    try:
        return importlib.import_module(SOURCES[source])
    except KeyError:
        raise ValueError(f"unknown list {source!r}: one of {', '.join(sorted([*SOURCES, *ALIASES]))}") from None


def own_designations(authority, namespace):
    """``(regime code, reference)`` of the designations in force under ``authority`` that came
    from this list: those whose actor carries the same reference under the list's ``namespace``.
    Designations editors entered by hand are not the list's to withdraw."""
    rows = Designation.objects.filter(regime__authority__code=authority, delisted_on__isnull=True).values_list(
        "regime__code", "reference", "actor__identifiers"
    )
    return sorted(
        (code, reference)
        for code, reference, identifiers in rows
        if isinstance(identifiers, dict) and str(identifiers.get(namespace, "")) == reference
    )


def list_records(module, parsed, name, *, complete_as_of=None, index=None, countries=None, proposals=None):
    """The records a parsed list loads, and the notes of what it matched, proposed and delisted."""
    index = index or ActorIndex.from_database()
    proposals = [] if proposals is None else proposals
    notes = list(parsed.notes)
    records = []
    authority = module.AUTHORITY["code"]

    def add(label, fields, where):
        records.append(Record(label, fields, where))

    if not Authority.objects.filter(code=authority).exists():
        add("sanctions.authority", dict(module.AUTHORITY), Location(name, f"authority {authority}"))
    existing = set(Regime.objects.filter(code__in=list(parsed.regimes)).values_list("code", flat=True))
    for code, regime in sorted(parsed.regimes.items()):
        if code not in existing:
            add(
                "sanctions.regime", {"code": code, "authority": [authority], **regime}, Location(name, f"regime {code}")
            )
    listed = set()
    for entry in parsed.entries:
        identifiers = {module.NAMESPACE: entry.reference, **entry.identifiers}
        if entry.imo:
            identifiers["imo"] = entry.imo
        actor = {
            "kind": entry.kind,
            "name": entry.name,
            "aliases": entry.aliases,
            "country": entry.country,
            "role": entry.role[:300],
            "identifiers": identifiers,
        }
        if entry.imo:
            actor["imo"] = entry.imo
        if entry.flags:
            actor["flags"] = entry.flags
        fields = list_actor_fields(
            index,
            actor,
            own=index.by_id(module.NAMESPACE, entry.reference),
            namespace=module.NAMESPACE,
            reference=f"{module.LABEL} {entry.reference}",
            label=f"{module.LABEL} {entry.reference}",
            notes=notes,
            proposals=proposals,
        )
        add("actors.actor", fields, entry.where)
        for code in entry.regimes:
            listed.add((code, entry.reference))
            add(
                "sanctions.designation",
                {
                    "regime": [code],
                    "reference": entry.reference,
                    "actor": [fields["slug"]],
                    "listed_on": entry.listed_on.isoformat() if entry.listed_on else None,
                    **({} if entry.reason is None else {"reason": entry.reason}),
                    # Listed again after a delisting.
                    "delisted_on": None,
                },
                Location(entry.where.file, f"{entry.where.where}, regime {code}"),
            )
    missing = [key for key in own_designations(authority, module.NAMESPACE) if key not in listed]
    on = complete_as_of or (parsed.as_of if getattr(module, "WHOLE_LIST", True) else None)
    if on is None and missing:
        notes.append(
            f"not in this file: {len(missing)} designations loaded from an earlier version of the list; if the file "
            "is the whole list, import it with --complete-as-of DATE to mark those delisted"
        )
    elif missing:
        withdrawn, delisted = delisting_records(missing, on, name)
        records += withdrawn
        notes += delisted
    return records, notes


def import_list(source, data, *, name, as_of=None, complete_as_of=None, user=None, dry_run=False, progress=False):
    """Read one version of ``source``'s list (``data``: the file's bytes) and load it; return the
    report. ``as_of`` dates a file that does not say when it was published (and overrides a
    date it gives); ``complete_as_of`` says the file is the whole list as published that day."""
    module = source_module(source)
    parsed = module.parse(data, name, countries=CountryResolver())
    if parsed.errors:
        return LoadReport(dry_run=dry_run, errors=parsed.errors, notes=parsed.notes)
    if as_of is not None:
        parsed.as_of = as_of
    if not parsed.entries:
        return LoadReport(dry_run=dry_run, errors=[LoadError(Location(name), "", "", "the file lists no target")])
    proposals = []
    records, notes = list_records(module, parsed, name, complete_as_of=complete_as_of, proposals=proposals)
    return load_list(
        records,
        proposals,
        notes,
        user=user,
        dry_run=dry_run,
        progress=progress,
        change_reason=f"import_list {source} {name}"[:100],
    )
