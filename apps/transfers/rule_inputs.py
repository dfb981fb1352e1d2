"""What the rules read besides the transfers themselves (``apps.transfers.services``): the
measures on the transfers' countries with what they rest on, the designations of their actors,
the votes on the resolutions behind them, the notifications of their supplies, the caps'
monthly totals; read once per request for findings, whatever the number of transfers, the
measures, designations and votes kept until the next write."""

from collections import defaultdict

from django.db.models import Prefetch

from apps.common.cache import cached_answer
from apps.common.periods import span_of
from apps.resolutions.choices import Outcome
from apps.resolutions.models import Provision, Vote
from apps.sanctions.choices import Direction, MeasureKind
from apps.sanctions.models import Designation, Measure
from apps.transfers.caps import cap_month_totals

PROVISION_ORDER = ("resolution__voted_on", "resolution__symbol", "paragraph")


class RuleInputs:
    """What one request for findings reads, once, for all its transfers."""

    def __init__(self, transfers, *, user, today):
        self.transfers = transfers
        self.user = user
        self.today = today
        self.countries = {t.supplier_id for t in transfers} | {t.recipient_id for t in transfers}
        self.measures = self._measures()
        self.designations = self._designations()
        self.positions = self._positions()
        self.notified = self._notified()
        self._cap_months = None
        self._in_force = {}
        self._provisions_of = {}

    def in_force(self, measure, regime):
        """``in_force_period(measure, regime)``, worked out once per request: a load's
        thousands of transfers are weighed against the same few measures."""
        key = (measure.pk, regime.pk)
        if key not in self._in_force:
            self._in_force[key] = in_force_period(measure, regime)
        return self._in_force[key]

    def provisions(self, measure):
        """A measure's provisions (prefetched), as a new list: the related manager that hands
        them out costs more to make than the list, once per finding."""
        found = self._provisions_of.get(measure.pk)
        if found is None:
            found = self._provisions_of[measure.pk] = tuple(measure.provisions.all())
        return list(found)

    def _notified(self):
        """``{transfer pk: {country pk}}``: the states that notified each transfer to a committee
        (its ``notifies`` claims)."""
        from apps.transfers.models import Claim

        notified = defaultdict(set)
        claims = Claim.objects.filter(transfer_id__any_of=[t.pk for t in self.transfers], stance="notifies")
        for transfer_id, country_id in claims.values_list("transfer_id", "claimant_country_id"):
            if country_id is not None:
                notified[transfer_id].add(country_id)
        return notified

    def _measures(self):
        """The measures on the countries of these transfers, with what they rest on: the same
        for every request until the data changes, so cached until then (five queries saved)."""
        return cached_answer("measures-on", sorted(self.countries), self._read_measures, in_process=True)

    def _read_measures(self):
        measures = (
            Measure.objects.filter(regime__target_country__in=self.countries)
            .exclude(direction=Direction.NOT_APPLICABLE)
            .select_related("regime__authority__country", "regime__target_country")
            .prefetch_related(provisions_prefetch(), "regime__resolutions", "regime__authority__members")
            .order_by("regime__code", "code")
        )
        by_target = defaultdict(list)
        for measure in measures:
            by_target[measure.regime.target_country_id].append(measure)
        return by_target

    def _designations(self):
        """The designations of the actors of these transfers, with the asset freezes of their
        regimes: cached until the data changes, as the measures are."""
        actors = {t.supplier_actor_id for t in self.transfers} | {t.recipient_actor_id for t in self.transfers}
        actors.discard(None)
        if not actors:
            return {}
        return cached_answer(
            "designations-of", sorted(actors), lambda: self._read_designations(actors), in_process=True
        )

    def _read_designations(self, actors):
        freezes = Measure.objects.filter(kind=MeasureKind.ASSET_FREEZE).prefetch_related(provisions_prefetch())
        designations = (
            Designation.objects.filter(actor__in=actors)
            .select_related("actor", "regime__authority__country", "regime__target_country")
            .prefetch_related(
                Prefetch("regime__measures", queryset=freezes.order_by("code"), to_attr="asset_freezes"),
                "regime__resolutions",
                "regime__authority__members",
            )
            .order_by("regime__code", "reference")
        )
        by_actor = defaultdict(list)
        for designation in designations:
            by_actor[designation.actor_id].append(designation)
        return by_actor

    def _positions(self):
        measures = [m for ms in self.measures.values() for m in ms]
        measures += [m for ds in self.designations.values() for d in ds for m in d.regime.asset_freezes]
        resolutions = {r.pk for m in measures for r in resolutions_behind(m)}
        if not resolutions:
            return {}

        return cached_answer(
            "positions",
            [sorted(resolutions), sorted(self.countries)],
            lambda: positions_of(resolutions, self.countries),
            in_process=True,
        )

    def cap_months(self):
        """``cap_month_totals`` of the caps on the countries of these transfers, read once."""
        if self._cap_months is None:
            caps = [m for ms in self.measures.values() for m in ms if m.kind == MeasureKind.TRADE_CAP]
            self._cap_months = cap_month_totals(caps, user=self.user)
        return self._cap_months


def provisions_prefetch():
    """A measure's provisions with their resolutions, in the order the findings give them."""
    return Prefetch("provisions", queryset=Provision.objects.select_related("resolution").order_by(*PROVISION_ORDER))


def positions_of(resolution_ids, country_ids):
    """``{(resolution pk, country pk): position}`` of the votes asked for."""
    votes = Vote.objects.filter(resolution__in=resolution_ids, country__in=country_ids)
    return {(v.resolution_id, v.country_id): v.position for v in votes.only("resolution_id", "country_id", "position")}


def in_force_period(measure, regime):
    """When a measure is in force: its own period within its regime's; None when they never meet."""
    measure_period, regime_period = span_of(measure), span_of(regime)
    if not measure_period.overlaps(regime_period):
        return None
    return measure_period.intersection(regime_period)


def resolutions_behind(measure):
    """The resolutions a measure rests on: those of its provisions, else its regime's adopted
    ones (a regime also lists the drafts about it that were vetoed or failed, for its vote
    matrix; a draft that was not adopted binds nobody). Worked out once per measure as loaded:
    every finding of a measure asks it twice, and a load's findings share a few measures."""
    behind = measure.__dict__.get("_resolutions_behind")
    if behind is None:
        from_provisions = list({p.resolution_id: p.resolution for p in measure.provisions.all()}.values())
        behind = from_provisions or [r for r in measure.regime.resolutions.all() if r.outcome == Outcome.ADOPTED]
        measure.__dict__["_resolutions_behind"] = behind
    return behind
