"""The question the database answers: which sanctions would this transfer break, and did
the parties vote for them? (docs/data-model.md, "The findings".)

The answer is a list of *findings*, each a sentence a sanctions lawyer could sign:

- ``breach``: a measure in force during the transfer covers its category (or the category's
  parent), on the side of the flow its regime targets, and obliges a party's state;
- ``possible_breach``: the same, but the transfer is less specific than the measure (a
  ``fuel`` transfer, a measure on ``crude_oil``);
- ``exceeds_cap`` / ``counts_toward_cap``: a ``trade_cap`` measure, with every transfer to
  (or from) the target in the covered categories summed over the cap period, in the cap's
  unit;
- ``designated_party``: the supplier or recipient actor is designated under a regime with an
  asset freeze while the transfer ran.

Each finding carries the regime, the measure, whose states it obliges, whether it binds
(a measure resting only on resolutions not adopted under Chapter VII does not), the overlap
of the periods, the transfer's status, the provisions and resolutions behind it with how
each party voted, and its reasons in words. A ``disproven`` transfer has no findings.
The admin, the API, the exports and the country profile all ask here, in a fixed number of
queries whatever the number of transfers.
"""

import dataclasses
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from apps.common.periods import Period, transfer_span
from apps.sanctions.choices import (
    BREACH,
    PARENT_OF,
    POSSIBLE_BREACH,
    AuthorityBinds,
    Direction,
    MeasureKind,
    ObligedParty,
    category_match,
)
from apps.sanctions.models import Designation, Measure
from apps.transfers.caps import (
    RECIPIENT_SIDE,
    SUPPLIER_SIDE,
    CapCount,
    count_cap,
    country_text,
)
from apps.transfers.choices import TransferStatus
from apps.transfers.rule_inputs import RuleInputs, resolutions_behind

EXCEEDS_CAP = "exceeds_cap"
COUNTS_TOWARD_CAP = "counts_toward_cap"
DESIGNATED_PARTY = "designated_party"
NEEDS_EXEMPTION = "needs_exemption"
EXEMPTED = "exempted"
NOT_NOTIFIED = "not_notified"
FINDINGS = (
    BREACH,
    POSSIBLE_BREACH,
    EXCEEDS_CAP,
    COUNTS_TOWARD_CAP,
    NEEDS_EXEMPTION,
    EXEMPTED,
    NOT_NOTIFIED,
    DESIGNATED_PARTY,
)
FINDING_LABELS = {
    BREACH: "Breaches",
    POSSIBLE_BREACH: "Possible breaches (less specific than the measure, or of a category it covers in part)",
    EXCEEDS_CAP: "Trade caps exceeded",
    COUNTS_TOWARD_CAP: "Trade caps it counts toward (not exceeded)",
    NEEDS_EXEMPTION: "Prohibited unless notified to or approved by the committee (none recorded)",
    EXEMPTED: "Supplies to the government notified to the committee (exempted)",
    NOT_NOTIFIED: "Supplies the committee should have been notified of (no notification recorded)",
    DESIGNATED_PARTY: "Designated parties under an asset freeze",
}
# Findings that say a transfer would break a measure (a delivery under a cap, or an exempted
# supply, does not).
CONTRAVENING = (BREACH, POSSIBLE_BREACH, EXCEEDS_CAP, NEEDS_EXEMPTION, NOT_NOTIFIED, DESIGNATED_PARTY)

SIDES = (ObligedParty.SUPPLIER, ObligedParty.RECIPIENT)


@dataclass
class ResolutionVotes:
    """A resolution behind a measure and how the two parties voted on it (None: no vote recorded)."""

    resolution: object
    supplier_position: str | None
    recipient_position: str | None


@dataclass
class Contravention:
    """One finding: a measure a transfer would break, or a cap it counts toward."""

    finding: str
    measure: Measure
    targets: str
    obliges: list
    obliged_countries: list
    binding: bool
    overlap: Period
    status: str
    provisions: list = field(default_factory=list)
    resolutions: list[ResolutionVotes] = field(default_factory=list)
    cap: CapCount | None = None
    designation: Designation | None = None
    reasons: list[str] = field(default_factory=list)

    @property
    def regime(self):
        return self.measure.regime

    @property
    def obliged_iso2(self):
        return [country.iso2 for country in self.obliged_countries]


def _span_text(transfer, span):
    widened = f", its dates widened to whole {transfer.date_precision}s" if transfer.date_precision != "day" else ""
    if transfer.ended_on is None:
        # No date that moves with the day: a stored finding reads the same tomorrow.
        return f"The transfer began {span.start or 'on an unrecorded date'} and is ongoing to today{widened}."
    return f"The transfer spans {span}{widened}."


def _until(day, transfer, today):
    """The end of an overlap in words: "today" when it is an ongoing transfer's today."""
    return "today" if transfer.ended_on is None and day == today else str(day)


def _binding(measure, reasons):
    resolutions = resolutions_behind(measure)
    if measure.regime.authority.binds != AuthorityBinds.ALL_STATES or not resolutions:
        return True
    if any(r.chapter_vii for r in resolutions):
        under = ", ".join(r.symbol for r in resolutions if r.chapter_vii)
        reasons.append(f"It rests on {under}, adopted under Chapter VII: it binds.")
        return True
    symbols = ", ".join(r.symbol for r in resolutions)
    reasons.append(
        f"It rests only on {symbols}, not adopted under Chapter VII: it calls on states to act but does not bind."
    )
    return False


def jurisdiction_members(authority):
    members = list(authority.members.all())
    if not members and authority.country_id:
        members = [authority.country]
    return members


def _obliged(measure, sides, transfer, reasons):
    """The sides (and their countries) whose state ``measure`` obliges and binds, by its
    ``obliges`` and its authority's jurisdiction; empty when it binds none of them."""
    authority = measure.regime.authority
    countries = {ObligedParty.SUPPLIER: transfer.supplier, ObligedParty.RECIPIENT: transfer.recipient}
    # A finding is made only when the measure obliges a side, so there is always a side to name
    # (a measure that obliges none is dropped with its reasons).
    named = ", ".join(f"the {side}'s state, {country_text(countries[side])}" for side in sides)
    if authority.binds == AuthorityBinds.ALL_STATES:
        reasons.append(f"It obliges {named}; a measure of {authority.code} binds all states.")
        return list(sides)
    members = jurisdiction_members(authority)
    member_ids = {country.pk for country in members}
    within = [side for side in sides if countries[side].pk in member_ids]
    if within:
        listed = ", ".join(country.iso2 for country in members)
        reasons.append(
            f"It obliges {named}; {authority.code} binds only persons under its jurisdiction ({listed}), "
            f"which takes in {', '.join(country_text(countries[side]) for side in within)}."
        )
    return within


def _votes(resolutions, transfer, positions):
    return [
        ResolutionVotes(
            resolution=resolution,
            supplier_position=positions.get((resolution.pk, transfer.supplier_id)),
            recipient_position=positions.get((resolution.pk, transfer.recipient_id)),
        )
        for resolution in resolutions
    ]


def _measure_findings(transfer, span, context):
    findings = []
    for side, directions in ((ObligedParty.SUPPLIER, SUPPLIER_SIDE), (ObligedParty.RECIPIENT, RECIPIENT_SIDE)):
        country = getattr(transfer, side)
        for measure in context.measures.get(country.pk, ()):
            if measure.direction not in directions:
                continue
            match = category_match(measure.covers, transfer.category)
            in_part = match is None and transfer.category in (measure.covers_in_part or ())
            if in_part:
                match = POSSIBLE_BREACH
            if match is None:
                continue
            in_force = context.in_force(measure, measure.regime)
            if in_force is None or not in_force.overlaps(span):
                continue
            overlap = in_force.intersection(span)
            scope = _scope_reason(measure, side, transfer, span, context)
            if scope is None:
                continue  # the measure does not reach this party (docs/data-model.md, "Scope")
            category_reason = (
                _in_part_reason(measure, transfer) if in_part else _category_reason(measure, transfer, match)
            )
            reasons = [category_reason, _span_text(transfer, span)]
            reasons.append(
                f"{measure.code} is in force from {in_force.start or 'the start'} to {in_force.end or 'today'} "
                f"(the measure's and its regime's dates); the two overlap from {overlap.start or '…'} to "
                f"{_until(overlap.end, transfer, context.today)}."
            )
            flow = "exports from" if side == ObligedParty.SUPPLIER else "imports to"
            reasons.append(
                f"{measure.regime.code} targets {country_text(country)}; the measure forbids {flow} the target, "
                f"and the {side} is {country.iso2}."
            )
            if scope:
                reasons.append(scope)
            obliges = _obliged(measure, measure.obliged_sides, transfer, reasons)
            if not obliges:
                continue
            binding = _binding(measure, reasons)
            cap = None
            finding = match
            notified = transfer.supplier_id in context.notified.get(transfer.pk, ())
            if measure.kind == MeasureKind.TRADE_CAP and match == BREACH:
                cap = count_cap(measure, side, transfer, in_force, context, reasons)
                finding = EXCEEDS_CAP if cap is not None and cap.exceeded else COUNTS_TOWARD_CAP
            elif _to_the_government(measure, side, transfer):
                finding = EXEMPTED if notified else NEEDS_EXEMPTION
                reasons.append(_exemption_reason(measure, side, transfer, notified))
            found = _finding(finding, measure, side, obliges, binding, overlap, transfer, context, reasons, cap=cap)
            findings.append(found)
            if measure.notification_required and not notified and finding in (BREACH, EXCEEDS_CAP, COUNTS_TOWARD_CAP):
                duty = (
                    f"{measure.code} requires every supply it counts to be notified to the committee; no "
                    f"notification of this transfer by the supplier's state, {country_text(transfer.supplier)}, "
                    f"is recorded (a claim with the stance notifies)."
                )
                findings.append(dataclasses.replace(found, finding=NOT_NOTIFIED, reasons=[duty, *found.reasons]))
    return findings


def _target_actor(side, transfer):
    return transfer.supplier_actor if side == ObligedParty.SUPPLIER else transfer.recipient_actor


def _scope_reason(measure, side, transfer, span, context):
    """Whether ``measure`` reaches the party on the target's ``side`` (docs/data-model.md,
    "Scope"): "" when it applies to everyone, a reason when its scope takes the party in, None
    when not."""
    from apps.sanctions.choices import AppliesTo

    actor = _target_actor(side, transfer)
    if measure.applies_to == AppliesTo.NON_STATE_ACTORS:
        if actor is None or actor.kind == "government_body":
            return None  # a supply to or from the state itself
        return (
            f"{measure.code} applies only to non-state actors on the target's side; the {side}, {actor.name}, "
            f"is a {actor.get_kind_display().lower()}."
        )
    if measure.applies_to == AppliesTo.LISTED_ONLY:
        if actor is None:
            return None
        for designation in context.designations.get(actor.pk, ()):
            listed = Period(designation.listed_on, designation.delisted_on)
            if designation.regime_id == measure.regime_id and listed.overlaps(span):
                return (
                    f"{measure.code} applies only to those designated under {measure.regime.code}; the {side}, "
                    f"{actor.name}, is listed as {designation.reference} while the transfer ran."
                )
        return None
    return ""


def _to_the_government(measure, side, transfer):
    """A supply to (or from) the target's government under a measure that exempts such
    supplies once notified or approved: no actor on the target's side, or a government body."""
    from apps.sanctions.choices import GovernmentExemption

    if measure.government_exemption == GovernmentExemption.NONE:
        return False
    actor = _target_actor(side, transfer)
    return actor is None or actor.kind == "government_body"


def _exemption_reason(measure, side, transfer, notified):
    condition = "notified to" if measure.government_exemption == "notification" else "approved by"
    party = _target_actor(side, transfer)
    who = f"{party.name}, a government body" if party else f"the state of {country_text(getattr(transfer, side))}"
    if notified:
        return (
            f"The {side} is {who}: the supply is allowed once {condition} the committee, and the supplier's "
            f"state, {country_text(transfer.supplier)}, notified it (a claim with the stance notifies)."
        )
    return f"The {side} is {who}: the supply is prohibited unless {condition} the committee; none is recorded."


def _in_part_reason(measure, transfer):
    note = f' ("{measure.scope_note}")' if measure.scope_note else ""
    return (
        f"{measure.code} covers only part of {transfer.category}{note}: the transfer may or may not be of a "
        f"covered kind."
    )


def _finding(kind, measure, side, obliges, binding, overlap, transfer, context, reasons, **extra):
    """A finding with what every kind carries: the parties, the votes, the status."""
    votes = _votes(resolutions_behind(measure), transfer, context.positions)
    for party in SIDES:
        unvoted = [v.resolution.symbol for v in votes if getattr(v, f"{party}_position") is None]
        if unvoted:
            reasons.append(
                f"No vote of the {party}, {getattr(transfer, party).iso2}, is recorded on {', '.join(unvoted)} "
                f"(it was not on the Council then, or its vote is not in the database)."
            )
    reasons.append(f"The transfer is {transfer.status}.")
    return Contravention(
        finding=kind,
        measure=measure,
        targets=side,
        obliges=obliges,
        obliged_countries=[getattr(transfer, s) for s in obliges],
        binding=binding,
        overlap=overlap,
        status=transfer.status,
        provisions=context.provisions(measure),
        resolutions=votes,
        reasons=reasons,
        **extra,
    )


def _category_reason(measure, transfer, match):
    covers = ", ".join(measure.covers)
    if match == POSSIBLE_BREACH:
        return (
            f"The transfer's category, {transfer.category}, is less specific than what {measure.code} covers "
            f"({covers}): it may or may not be of a covered kind."
        )
    if transfer.category in measure.covers:
        return f"{measure.code} covers {covers}, which includes the transfer's category, {transfer.category}."
    return f"{measure.code} covers {covers}; {PARENT_OF[transfer.category]} is the parent of {transfer.category}."


def _designation_findings(transfer, span, context):
    findings = []
    for side in SIDES:
        actor_id = getattr(transfer, f"{side}_actor_id")
        for designation in context.designations.get(actor_id, ()) if actor_id else ():
            listed = Period(designation.listed_on, designation.delisted_on)
            if not listed.overlaps(span):
                continue
            for measure in designation.regime.asset_freezes:
                in_force = context.in_force(measure, designation.regime)
                if in_force is None or not in_force.overlaps(span):
                    continue
                overlap = in_force.intersection(span)
                if not listed.overlaps(overlap):
                    continue
                overlap = overlap.intersection(listed)
                delisted = f"delisted {designation.delisted_on}" if designation.delisted_on else "not delisted"
                reasons = [
                    f"The {side} actor, {designation.actor.name}, is designated under {designation.regime.code} as "
                    f"{designation.reference}, listed {designation.listed_on or 'on an unrecorded date'}, {delisted}.",
                    _span_text(transfer, span),
                    f"{designation.regime.code}'s {measure.code} ({measure.get_kind_display().lower()}) was in force "
                    f"while the actor was listed and the transfer ran, from {overlap.start or '…'} to "
                    f"{_until(overlap.end, transfer, context.today)}.",
                ]
                obliges = _obliged(measure, list(SIDES), transfer, reasons)
                if not obliges:
                    continue
                binding = _binding(measure, reasons)
                findings.append(
                    _finding(
                        DESIGNATED_PARTY,
                        measure,
                        side,
                        obliges,
                        binding,
                        overlap,
                        transfer,
                        context,
                        reasons,
                        designation=designation,
                    )
                )
    return findings


def reached_condition():
    """The transfers the engine reads anything for, as a condition on transfers: a country of
    theirs is the target of a measure, or an actor of theirs is designated (``RuleInputs``
    reads only those measures and designations). Any other transfer has no finding, whatever
    its category, dates or status, so its findings need not be worked out (the loader's
    transfers between countries no measure targets)."""
    targets = Measure.objects.exclude(direction=Direction.NOT_APPLICABLE).values("regime__target_country")
    designated = Designation.objects.values("actor")
    return (
        Q(supplier__in=targets)
        | Q(recipient__in=targets)
        | Q(supplier_actor__in=designated)
        | Q(recipient_actor__in=designated)
    )


def contraventions_for(transfers, *, user=None, today=None):
    """Map each transfer's pk to its findings, in a fixed number of queries. ``user`` decides
    which other transfers a cap total may count (None: all, as the system sees them)."""
    transfers = list(transfers)
    result = {transfer.pk: [] for transfer in transfers}
    live = [t for t in transfers if t.status != TransferStatus.DISPROVEN]
    if not live:
        return result
    context = RuleInputs(live, user=user, today=today or timezone.localdate())
    for transfer in live:
        span = transfer_span(transfer, today=context.today)
        result[transfer.pk] = _measure_findings(transfer, span, context) + _designation_findings(
            transfer, span, context
        )
    return result


def transfer_contraventions(transfer, *, user=None):
    """The stored findings of one transfer, as ``user`` may read them (``apps.transfers.stored``)."""
    from apps.transfers.stored import contraventions_of

    return contraventions_of(transfer, user=user)
