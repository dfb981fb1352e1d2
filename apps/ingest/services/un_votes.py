"""The Dag Hammarskjöld Library's Security Council votes: the UN Digital Library's voting data
(CSV, one row per member and adopted resolution) and the Library's list of vetoed drafts (CSV).

Voting data (``import_un_votes``): every row of a Security Council resolution (``resolution``
starting "S/RES/") gives the resolution (symbol written one way, number, ``date``, ``meeting``
as "S/PV.NNNN", ``title``, ``undl_link``) and the vote of one member (``ms_code``, ISO alpha-3;
historical states such as the Soviet Union are added to the country table when first met).
``ms_vote`` ``Y``/``N``/``A`` is yes/no/abstain; empty, ``X`` and ``NV`` are absent. A resolution
whose ``modality`` or ``vote_note`` says it was adopted without a vote is marked
``adopted_without_vote`` and has no votes. General Assembly rows are counted and skipped.
Columns are read by name, so columns the Library adds later are ignored.

The import is exact: the same file imported twice changes nothing; a vote a corrected file
changes is updated; and a stored vote the file no longer lists, on a resolution the file
carries, is removed (resolutions the file does not carry keep their votes).

Veto list (``import_vetoes``): each row is a draft with outcome ``vetoed`` and no number, and a
``no`` vote by each member named in the last column ("China, Russian Federation"; "USSR"
before 1992). The votes of the other members are not in the list: a stored draft keeps the
votes it has, and the draft's page says when the other members' votes are not recorded. The
draft's symbol is the ``Draft`` column. Early drafts had no symbol of their own and the list
names the meeting record instead ("S/PV.23"): the meeting record is then the draft's symbol;
when the list names the same meeting record for more than one draft, the second and later
drafts of that meeting (in the list's order) are "S/PV.57/2", "S/PV.57/3", so that every
draft keeps a symbol of its own.

A bad row is reported with the file, its row number (the header is row 1) and the column,
and nothing is written; both loads go through the validating loader (dry run, progress,
findings recomputed).
"""

import csv
import datetime
import io
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q

from apps.geo.models import Country
from apps.ingest.loader import RecordList, load_records
from apps.ingest.services.countries import CountryResolver
from apps.ingest.services.records import LoadError, LoadReport, Location, Record
from apps.resolutions.choices import Body, Outcome, Position
from apps.resolutions.models import Resolution, Vote, normalize_symbol

VOTE_COLUMNS = ("ms_code", "ms_vote", "date", "resolution")
VETO_COLUMNS = ("Date", "Draft", "Meeting Record")
VETO_MEMBERS = "Permanent Member Casting Negative Vote"
POSITIONS = {"Y": Position.YES, "N": Position.NO, "A": Position.ABSTAIN, "": Position.ABSENT}
POSITIONS.update({"X": Position.ABSENT, "NV": Position.ABSENT})
_ADOPTED = re.compile(r"^S/RES/(\d+) \((\d{4})\)$")
_MEETING = re.compile(r"^(?:S/PV\.)?(\d+)((?:\s*\(.*\))?)$", re.IGNORECASE)
_WITHOUT_VOTE = re.compile(r"without\s+(a\s+)?vote", re.IGNORECASE)
_MEMBER_SEPARATOR = re.compile(r"\s*(?:,|;|\band\b)\s*")


@dataclass
class Parsed:
    """A file read: the records to load, the resolutions it carries with the countries it
    lists for each (``{symbol: {iso2}}``), its notes, and its errors."""

    records: list = field(default_factory=list)
    listed: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    errors: list = field(default_factory=list)


def read_rows(data, name, required):
    """``(rows, errors)``: each row a ``(row number, {column: value})``; utf-8 with or without BOM."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [LoadError(Location(name), "", "", f"not UTF-8 text: {exc.reason} at byte {exc.start}")]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = [c.strip() for c in reader.fieldnames or []]
    missing = [c for c in required if c not in columns]
    if missing:
        return [], [LoadError(Location(name, "row 1"), "", "", f"missing column(s): {', '.join(missing)}")]
    reader.fieldnames = columns
    rows = []
    try:
        for row in reader:
            values = {key: (value or "").strip() for key, value in row.items() if isinstance(key, str)}
            if any(values.values()):
                rows.append((reader.line_num, values))
    except csv.Error as exc:
        return [], [LoadError(Location(name, f"row {reader.line_num}"), "", "", f"malformed CSV: {exc}")]
    return rows, []


def parse_meeting(value):
    """ "S/PV.5551" or "5551" → "S/PV.5551" (a resumption's note kept); None when it is neither."""
    found = _MEETING.match(value)
    if found is None:
        return None
    return f"S/PV.{found.group(1)}{found.group(2)}"


def parse_date(value):
    """ISO ("2006-10-14", with a time after it or not) or written out ("14 October 2006")."""
    for parse in (
        lambda v: datetime.date.fromisoformat(v[:10]) if len(v) == 10 or v[10:11] in ("T", " ") else None,
        lambda v: datetime.datetime.strptime(v, "%d %B %Y").date(),
        lambda v: datetime.datetime.strptime(v, "%d %b %Y").date(),
    ):
        try:
            found = parse(value)
        except ValueError:
            continue
        if found is not None:
            return found
    return None


def _country_records(countries, name):
    """The historical states met that the table lacks, and a permanent seat the table does not
    yet mark (a Soviet Union added earlier by another importer)."""
    records = [Record("geo.country", fields, Location(name, f"country {fields['iso2']}"))
               for fields in countries.country_records()]  # fmt: skip
    permanent = [state.iso2 for state in countries.historical if state.sc_permanent_member]
    for iso2 in Country.objects.filter(iso2__in=permanent, sc_permanent_member=False).values_list("iso2", flat=True):
        records.append(
            Record("geo.country", {"iso2": iso2, "sc_permanent_member": True}, Location(name, f"country {iso2}"))
        )
    return records


# -- the voting data --------------------------------------------------------------------------


def parse_votes(data, name="UN votes", countries=None):
    """Read the voting-data CSV into resolution and vote records."""
    countries = countries or CountryResolver()
    parsed = Parsed()
    rows, parsed.errors = read_rows(data, name, VOTE_COLUMNS)
    if parsed.errors:
        return parsed
    resolutions = {}
    votes = defaultdict(dict)
    skipped = Counter()

    def error(line, column, message):
        parsed.errors.append(LoadError(Location(name, f"row {line}"), "", column, message))

    for line, row in rows:
        raw = row["resolution"]
        if not raw.upper().startswith("S/RES"):
            skipped[raw] += 1
            continue
        symbol = normalize_symbol(raw)
        found = _ADOPTED.match(symbol)
        if found is None:
            error(line, "resolution", f"{raw!r} is not a resolution symbol such as 'S/RES/1718 (2006)'")
            continue
        voted_on = parse_date(row["date"])
        if voted_on is None:
            error(line, "date", f"{row['date']!r} is not a date")
        meeting = parse_meeting(row.get("meeting", ""))
        if row.get("meeting") and meeting is None:
            error(line, "meeting", f"{row['meeting']!r} is not a meeting record such as 'S/PV.5551'")
        vote = row["ms_vote"].upper()
        if vote not in POSITIONS:
            error(line, "ms_vote", f"{row['ms_vote']!r} is not a vote (Y, N, A, or empty, X, NV for not voting)")
        # The code; the name only when a row has no code.
        iso2 = countries.code(row["ms_code"] or row.get("ms_name", ""))
        if iso2 is None:
            error(line, "ms_code", f"{row['ms_code']!r} ({row.get('ms_name', '')!r}) is not a country we know")
        note = " ".join(row.get(column, "") for column in ("modality", "vote_note"))
        fields = {
            "symbol": symbol,
            "body": Body.SECURITY_COUNCIL,
            "number": int(found.group(1)),
            "outcome": Outcome.ADOPTED,
            "voted_on": voted_on.isoformat() if voted_on else None,
            "meeting": meeting or "",
            "title": row.get("title", "")[:500],
            "url": row.get("undl_link", ""),
            "adopted_without_vote": bool(_WITHOUT_VOTE.search(note)),
        }
        first = resolutions.setdefault(symbol, (line, fields))
        if first[1]["voted_on"] != fields["voted_on"] and voted_on is not None:
            error(line, "date", f"{symbol} is dated {first[1]['voted_on']} on row {first[0]}")
        if fields["adopted_without_vote"]:
            first[1]["adopted_without_vote"] = True
        if iso2 is not None and vote in POSITIONS:
            if iso2 in votes[symbol]:
                error(line, "ms_code", f"{row['ms_code']} already voted on {symbol} on row {votes[symbol][iso2][0]}")
            votes[symbol][iso2] = (line, POSITIONS[vote])
    parsed.records += _country_records(countries, name)
    for symbol, (line, fields) in resolutions.items():
        parsed.records.append(Record("resolutions.resolution", fields, Location(name, f"row {line} ({symbol})")))
        # Adopted without a vote: no member's vote to record.
        cast = {} if fields["adopted_without_vote"] else votes[symbol]
        parsed.listed[symbol] = set(cast)
        for iso2, (vote_line, position) in cast.items():
            parsed.records.append(
                Record(
                    "resolutions.vote",
                    {"resolution": [symbol], "country": [iso2], "position": position},
                    Location(name, f"row {vote_line} ({iso2})"),
                )
            )
    if skipped:
        parsed.notes.append(
            f"skipped {sum(skipped.values())} row(s) of {len(skipped)} resolution(s) not of the Security Council"
        )
    if not resolutions and not parsed.errors:
        parsed.notes.append("no Security Council resolution in the file")
    return parsed


def stale_votes(listed):
    """Stored votes on the resolutions of ``listed`` (``{symbol: {iso2}}``) that it does not list."""
    by_symbol = dict(Resolution.objects.filter(symbol__in=list(listed)).values_list("symbol", "pk"))
    conditions = [
        Q(resolution_id=pk) & ~Q(country__iso2__in=listed[symbol]) if listed[symbol] else Q(resolution_id=pk)
        for symbol, pk in by_symbol.items()
    ]
    if not conditions:
        return Vote.objects.none()
    condition = conditions[0]
    for other in conditions[1:]:
        condition |= other
    return Vote.objects.filter(condition)


def _row_number(error):
    found = re.search(r"\d+", error.location.where)
    return int(found.group()) if found else 0


def _load(parsed, *, user, dry_run, progress, reason, exact):
    if parsed.errors:
        return LoadReport(dry_run=dry_run, errors=sorted(parsed.errors, key=_row_number))
    with transaction.atomic():
        report = load_records(
            [RecordList(parsed.records)], user=user, dry_run=dry_run, progress=progress, change_reason=reason
        )
        if exact and report.ok:
            stale = stale_votes(parsed.listed).select_related("resolution", "country").order_by("pk")
            gone = [f"{vote.resolution.symbol} {vote.country.iso2}" for vote in stale]
            if gone:
                verb = "would remove" if dry_run else "removed"
                report.notes.append(f"{verb} {len(gone)} vote(s) the file no longer lists: {', '.join(gone)}")
                if not dry_run:
                    for vote in stale:
                        vote._change_reason = reason
                        vote.delete()
    report.notes = parsed.notes + report.notes
    return report


def import_un_votes(data, *, name="UN votes", user=None, dry_run=False, progress=False):
    """Parse and load the voting-data CSV (bytes); return the load report."""
    parsed = parse_votes(data, name)
    return _load(parsed, user=user, dry_run=dry_run, progress=progress, reason=f"import_un_votes {name}", exact=True)


# -- the veto list ----------------------------------------------------------------------------


def parse_vetoes(data, name="vetoes", countries=None):
    """Read the veto list into draft and ``no`` vote records."""
    countries = countries or CountryResolver()
    parsed = Parsed()
    rows, parsed.errors = read_rows(data, name, VETO_COLUMNS)
    if parsed.errors:
        return parsed
    titled = set(Resolution.objects.exclude(title="").values_list("symbol", flat=True))
    per_meeting = Counter()
    seen = {}

    def error(line, column, message):
        parsed.errors.append(LoadError(Location(name, f"row {line}"), "", column, message))

    for line, row in rows:
        members_column = VETO_MEMBERS if VETO_MEMBERS in row else list(row)[-1]
        voted_on = parse_date(row["Date"])
        if voted_on is None:
            error(line, "Date", f"{row['Date']!r} is not a date such as '26 May 2022'")
        meeting = parse_meeting(row["Meeting Record"])
        if row["Meeting Record"] and meeting is None:
            error(line, "Meeting Record", f"{row['Meeting Record']!r} is not a meeting record such as 'S/PV.9048'")
        draft = normalize_symbol(row["Draft"] or row["Meeting Record"])
        if not draft.upper().startswith("S/"):
            error(line, "Draft", f"{row['Draft']!r} is not a document symbol such as 'S/2022/431'")
            continue
        symbol = draft
        if draft.upper().startswith("S/PV."):
            # No symbol of its own: the meeting record, numbered from the second draft on.
            per_meeting[draft] += 1
            if per_meeting[draft] > 1:
                symbol = f"{draft}/{per_meeting[draft]}"
        elif symbol in seen:
            error(line, "Draft", f"{symbol} is already on row {seen[symbol]}")
            continue
        seen[symbol] = line
        members = [m for m in _MEMBER_SEPARATOR.split(row[members_column]) if m]
        if not members:
            error(line, members_column, "names no member")
        codes = []
        for member in members:
            iso2 = countries.code(member)
            if iso2 is None:
                error(line, members_column, f"{member!r} is not a country we know")
            else:
                codes.append(iso2)
        fields = {
            "symbol": symbol,
            "body": Body.SECURITY_COUNCIL,
            "number": None,
            "outcome": Outcome.VETOED,
            "voted_on": voted_on.isoformat() if voted_on else None,
            "meeting": meeting or "",
        }
        if symbol not in titled and row.get("Agenda Item"):
            fields["title"] = row["Agenda Item"][:500]
        parsed.records.append(Record("resolutions.resolution", fields, Location(name, f"row {line} ({symbol})")))
        for iso2 in codes:
            parsed.records.append(
                Record(
                    "resolutions.vote",
                    {"resolution": [symbol], "country": [iso2], "position": Position.NO},
                    Location(name, f"row {line} ({iso2})"),
                )
            )
    permanent = set(Country.objects.filter(sc_permanent_member=True).values_list("iso2", flat=True))
    permanent |= {state.iso2 for state in countries.historical if state.sc_permanent_member}
    for record in parsed.records:
        if record.label == "resolutions.vote" and record.fields["country"][0] not in permanent:
            parsed.errors.append(
                LoadError(
                    Location(name, record.location.where.split(" (")[0]),
                    "",
                    VETO_MEMBERS,
                    f"{record.fields['country'][0]} is not a permanent member",
                )
            )
    parsed.records = _country_records(countries, name) + parsed.records
    return parsed


def import_vetoes(data, *, name="vetoes", user=None, dry_run=False, progress=False):
    """Parse and load the veto list (bytes); return the load report. Votes already stored on
    a draft (the other members') are kept."""
    parsed = parse_vetoes(data, name)
    return _load(parsed, user=user, dry_run=dry_run, progress=progress, reason=f"import_vetoes {name}", exact=False)
