"""The stored findings of one transfer, read as the API, the transfer's page and the admin's
findings panel show them (``Contravention`` objects, as the engine gives them).

A stored row (``Finding``) holds what the engine decided: the kind, whose states it obliges,
whether it binds, the overlap, the cap's arithmetic, the reasons. What a reader shows besides
is the measure behind it: its regime and authority, its provisions, the resolutions it rests on
and how each country voted on them. Those are the same few hundred measures for every
transfer, so they are read once into a ``Catalogue`` kept in the process until one of their
tables is written (``CATALOGUE_READS``, through the tables' versions); a transfer's own rows
are read by one statement compiled once per audience (``apps.common.compiled``). Reading one
transfer's findings is then two statements, none of them compiled anew: its rows and the
catalogue's tables' versions (plus the designations, when a finding names one); the API's
answer adds the transfer's own and the queue's count.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from apps.common.cache import cached_answer, version_alias
from apps.common.compiled import PLACEHOLDERS, CompiledRead, kept
from apps.common.periods import Period
from apps.resolutions.models import Provision, Resolution, Vote
from apps.sanctions.models import Authority, Designation, Measure, Regime
from apps.transfers.findings import audience_of
from apps.transfers.models import Finding

# The tables a catalogue is read from: a write to any of them makes it stale.
CATALOGUE_READS = [
    Measure,
    Measure.provisions.through,
    Provision,
    Resolution,
    Regime,
    Regime.resolutions.through,
    Authority,
    Vote,
]

# What a reader shows of a stored row: its own columns (the transfer's are the reader's).
ROW_COLUMNS = [
    "transfer_id",
    "measure_id",
    "designation_id",
    "kind",
    "targets",
    "obliges",
    "binding",
    "overlap_start",
    "overlap_end",
    "to_today",
    "status",
    "cap_period_start",
    "cap_period_end",
    "cap_quantity",
    "cap_unit",
    "cap_total_low",
    "cap_total_high",
    "cap_counted",
    "cap_open_high",
    "cap_uncounted",
    "reasons",
]


@dataclass(frozen=True)
class Catalogue:
    """Every measure with what a finding of it shows, and the votes on the resolutions behind
    the measures: ``measures`` by pk (regime, authority, provisions and the resolutions
    behind each loaded), ``positions`` by (resolution pk, country pk)."""

    measures: dict
    positions: dict


def read_catalogue():
    """The catalogue as the data stands (four statements)."""
    from apps.transfers.rule_inputs import provisions_prefetch, resolutions_behind

    measures = Measure.objects.select_related("regime__authority").prefetch_related(
        provisions_prefetch(), "regime__resolutions"
    )
    by_pk = {measure.pk: measure for measure in measures}
    for measure in by_pk.values():
        resolutions_behind(measure)  # worked out now, while no other thread reads the measure
    behind = Q(resolution__in=Provision.objects.values("resolution")) | Q(
        resolution__in=Regime.resolutions.through.objects.values("resolution")
    )
    votes = Vote.objects.filter(behind).values_list("resolution_id", "country_id", "position")
    return Catalogue(by_pk, {(resolution, country): position for resolution, country, position in votes})


def catalogue():
    """The catalogue of the database reads go to, kept in the process (and in the shared
    cache) until one of its tables is written (``apps.common.cache.cached_answer``)."""
    return cached_answer("measure-catalogue", [], read_catalogue, in_process=True, reads=CATALOGUE_READS)


def stored_rows(transfer_pk, *, user=None):
    """The stored rows of one transfer for ``user``'s audience, in the engine's order (dicts
    of ``ROW_COLUMNS``): one kept statement per audience."""
    audience = audience_of(user)
    stand_in = PLACEHOLDERS[int]
    read = kept(
        ("transfer-findings", version_alias(), *audience),
        lambda: CompiledRead(
            Finding.objects.filter(transfer_id=stand_in, audience__in=audience)
            .order_by("rank", "pk")
            .values(*ROW_COLUMNS),
            {"transfer": stand_in},
        ),
    )
    return read.run(transfer=transfer_pk)


def contraventions_of(transfer, *, user=None, today=None):
    """The stored findings of ``transfer`` (its two countries loaded) that ``user`` may read,
    as the engine gives them: a list of ``Contravention``."""
    rows = stored_rows(transfer.pk, user=user)
    if not rows:
        return []
    measures = catalogue()
    if any(row["measure_id"] not in measures.measures for row in rows):
        # A measure newer than the kept catalogue (written since its tables' version was read,
        # or inside ``version_held``), or one deleted, with its findings, since the rows were
        # read: the catalogue as it stands now, and only the rows whose measure is in it.
        measures = read_catalogue()
        rows = [row for row in rows if row["measure_id"] in measures.measures]
    return as_contraventions(rows, transfer, measures, today=today or timezone.localdate())


def as_contraventions(rows, transfer, known, *, today):
    """``Contravention`` objects from a transfer's stored ``rows``, the measures and the votes
    taken from the catalogue ``known``."""
    from apps.transfers.caps import CapCount
    from apps.transfers.rule_inputs import resolutions_behind
    from apps.transfers.services import Contravention, ResolutionVotes

    sides = {"supplier": transfer.supplier, "recipient": transfer.recipient}
    designations = _designations({row["designation_id"] for row in rows} - {None})
    positions = known.positions
    found = []
    for row in rows:
        measure = known.measures[row["measure_id"]]
        cap = None
        if row["cap_quantity"] is not None:
            cap = CapCount(
                period=Period(row["cap_period_start"], row["cap_period_end"]),
                quantity=Decimal(row["cap_quantity"]),
                unit=row["cap_unit"],
                total_low=Decimal(row["cap_total_low"]),
                total_high=Decimal(row["cap_total_high"]),
                counted=row["cap_counted"],
                open_high=row["cap_open_high"],
                uncounted=row["cap_uncounted"],
            )
        found.append(
            Contravention(
                finding=row["kind"],
                measure=measure,
                targets=row["targets"],
                obliges=list(row["obliges"]),
                obliged_countries=[sides[side] for side in row["obliges"]],
                binding=row["binding"],
                overlap=Period(row["overlap_start"], today if row["to_today"] else row["overlap_end"]),
                status=row["status"],
                provisions=list(measure.provisions.all()),
                resolutions=[
                    ResolutionVotes(
                        resolution=resolution,
                        supplier_position=positions.get((resolution.pk, transfer.supplier_id)),
                        recipient_position=positions.get((resolution.pk, transfer.recipient_id)),
                    )
                    for resolution in resolutions_behind(measure)
                ],
                cap=cap,
                designation=designations.get(row["designation_id"]),
                reasons=list(row["reasons"]),
            )
        )
    return found


def _designations(pks):
    """The designations ``pks`` with their actors and regimes (no statement when there are none)."""
    if not pks:
        return {}
    return Designation.objects.select_related("actor", "regime").in_bulk(pks)
