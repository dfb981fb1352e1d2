"""The question the database answers: which sanctions would this transfer break, and did
the parties vote for them?

A transfer's contraventions are the measures in force during its period whose ``covers``
include its category and whose regime targets the supplier (direction
``exports_from_target`` or ``both``) or the recipient (``imports_to_target`` or ``both``).
For each: the provisions and resolutions behind it, and how the supplier and the
recipient voted on each resolution. The admin, the API and the public pages all ask here.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q

from apps.common.periods import ONGOING, POINT, span_of
from apps.resolutions.models import Provision, Vote
from apps.sanctions.choices import Direction
from apps.sanctions.models import Measure

SUPPLIER_SIDE = (Direction.EXPORTS_FROM_TARGET, Direction.BOTH)
RECIPIENT_SIDE = (Direction.IMPORTS_TO_TARGET, Direction.BOTH)


@dataclass
class ResolutionVotes:
    """A resolution behind a measure and how the two parties voted on it (None: no vote recorded)."""

    resolution: object
    supplier_position: str | None
    recipient_position: str | None


@dataclass
class Contravention:
    """One measure a transfer would break; ``targets`` is "supplier" or "recipient"."""

    measure: Measure
    targets: str
    provisions: list = field(default_factory=list)
    resolutions: list[ResolutionVotes] = field(default_factory=list)

    @property
    def regime(self):
        return self.measure.regime


def contraventions_for(transfers):
    """Map each transfer's pk to its list of ``Contravention``, in a fixed number of queries."""
    transfers = list(transfers)
    result = {transfer.pk: [] for transfer in transfers}
    countries = {t.supplier_id for t in transfers} | {t.recipient_id for t in transfers}
    if not transfers:
        return result
    measures = list(
        Measure.objects.filter(regime__target_country__in=countries)
        .filter(Q(direction__in=SUPPLIER_SIDE) | Q(direction__in=RECIPIENT_SIDE))
        .select_related("regime__authority", "regime__target_country")
        .prefetch_related(
            Prefetch(
                "provisions",
                queryset=Provision.objects.select_related("resolution").order_by(
                    "resolution__voted_on", "resolution__symbol", "paragraph"
                ),
            )
        )
        .order_by("regime__code", "code")
    )
    resolution_ids = {p.resolution_id for m in measures for p in m.provisions.all()}
    positions = {
        (vote.resolution_id, vote.country_id): vote.position
        for vote in Vote.objects.filter(resolution__in=resolution_ids, country__in=countries).only(
            "resolution_id", "country_id", "position"
        )
    }
    by_target = defaultdict(list)
    for measure in measures:
        by_target[measure.regime.target_country_id].append(measure)

    for transfer in transfers:
        span = span_of(transfer, open_end=POINT)
        sides = (
            ("supplier", transfer.supplier_id, SUPPLIER_SIDE),
            ("recipient", transfer.recipient_id, RECIPIENT_SIDE),
        )
        for side, country_id, directions in sides:
            for measure in by_target.get(country_id, ()):
                if measure.direction not in directions or transfer.category not in (measure.covers or []):
                    continue
                in_force = span_of(measure, open_end=ONGOING), span_of(measure.regime, open_end=ONGOING)
                if not all(period.overlaps(span) for period in in_force):
                    continue
                provisions = list(measure.provisions.all())
                resolutions = list({p.resolution_id: p.resolution for p in provisions}.values())
                result[transfer.pk].append(
                    Contravention(
                        measure=measure,
                        targets=side,
                        provisions=provisions,
                        resolutions=[
                            ResolutionVotes(
                                resolution=resolution,
                                supplier_position=positions.get((resolution.pk, transfer.supplier_id)),
                                recipient_position=positions.get((resolution.pk, transfer.recipient_id)),
                            )
                            for resolution in resolutions
                        ],
                    )
                )
    return result


def transfer_contraventions(transfer):
    """The measures one transfer would break (see the module docstring)."""
    return contraventions_for([transfer])[transfer.pk]
