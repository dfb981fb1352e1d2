"""Deciding a match proposal (``actors.MatchProposal``): the editors' answer to "are these two
actors one?".

Accepting merges the list entry's actor into the stored one it may be: everything that names
the entry's actor (its designations, the claims and statements it made, the transfers it
supplied or received, the events it took part in) names the stored actor instead, the entry's
names become aliases, its identifiers join the stored ones, and the entry's actor is deleted
(its history remains, with the reason). Rejecting keeps them two actors, and the next import
of the list does not propose the pair again.

Every record is moved by its own ``save()`` (or its many-to-many ``add``/``remove``), so what
is derived from it follows in the same transaction through the signals that follow every
write: the stored findings of the transfers concerned (a designated party's findings move with
its designations), the tallies a country's profile reads, the history of each record, and the
data version that keys the cached pages and answers (raised by the database itself).
"""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from apps.actors.models import Actor, MatchProposal

_QUOTES = re.compile(r"[\"'“”‘’]")
# Who may decide: those who may change actors (the Editors and Reviewers groups).
DECIDES = "actors.change_actor"


class DecisionRefused(Exception):
    """A proposal that cannot be decided (already decided, or its actors gone); the message
    says why, for the editor."""


def name_key(name):
    """A name compared without case, accents, punctuation or word order (rigour's
    ``normalize_name``: OpenSanctions' own normalisation, transliterating other scripts).
    rigour's names are imported when first used: the import takes a tenth of a second, which
    every process would pay at start-up (the admin imports this module)."""
    from rigour.names import normalize_name

    words = (normalize_name(_QUOTES.sub("", name or "")) or "").upper().split()
    return " ".join(sorted(words))


def merged_identifiers(existing, new):
    """The new ids over the stored ones; lists (addresses, birth dates) from both lists are
    joined, so that each list's import keeps the other's."""
    merged = {**existing, **new}
    for key, value in new.items():
        if isinstance(value, list) and isinstance(existing.get(key), list):
            merged[key] = list(dict.fromkeys([*existing[key], *value]))
    return merged


def merged_aliases(actor, names):
    """``actor``'s aliases followed by those of ``names`` it does not carry yet (as its name or
    an alias, compared by ``name_key``)."""
    keys = {name_key(n) for n in [actor.name, *actor.aliases]}
    aliases = list(actor.aliases)
    for name in names:
        if name and name_key(name) not in keys:
            keys.add(name_key(name))
            aliases.append(name)
    return aliases


def can_decide(user):
    return bool(user and user.is_authenticated and user.has_perm(DECIDES))


def _check(proposal, user):
    if not can_decide(user):
        raise PermissionDenied("Only editors and reviewers (who may change actors) decide match proposals.")
    if proposal.status != MatchProposal.Status.PROPOSED:
        who = f" by {proposal.decided_by}" if proposal.decided_by_id else ""
        when = f" on {proposal.decided_at:%Y-%m-%d %H:%M} UTC" if proposal.decided_at else ""
        raise DecisionRefused(
            f"This proposal was already decided ({proposal.get_status_display()}{who}{when}); "
            "a decision is not taken twice."
        )


def _locked(proposal):
    return MatchProposal.objects.select_for_update(of=("self",)).select_related("decided_by").get(pk=proposal.pk)


def _stamp(record, user, reason):
    record._change_reason = reason[:100]
    record._history_user = user
    if hasattr(record, "updated_by_id"):
        record.updated_by = user


def _decide(proposal, status, user, reason):
    proposal.status = status
    proposal.decided_by = user
    proposal.decided_at = timezone.now()
    _stamp(proposal, user, reason)
    proposal.save()


def reject(proposal, user):
    """The two actors are not one: the proposal is marked rejected (by ``user``, now), and the
    next import of the list leaves the pair apart without asking again."""
    with transaction.atomic():
        proposal = _locked(proposal)
        _check(proposal, user)
        _decide(proposal, MatchProposal.Status.REJECTED, user, f"rejected: {proposal.actor_slug} is not the same")
    return proposal


def accept(proposal, user):
    """The two actors are one: the entry's actor is merged into the candidate, in one
    transaction, and the proposal marked accepted. Returns the proposal."""
    with transaction.atomic():
        proposal = _locked(proposal)
        _check(proposal, user)
        if proposal.actor_id is None:
            raise DecisionRefused(
                f"The list entry's actor {proposal.actor_slug} is no longer stored: nothing to merge."
            )
        entry = Actor.objects.select_for_update().get(pk=proposal.actor_id)
        candidate = Actor.objects.select_for_update().get(pk=proposal.candidate_id)
        reason = f"merged {entry.slug} into {candidate.slug} (match proposal {proposal.pk})"
        _absorb(candidate, entry, user, reason)
        _move_links(entry, candidate, user, reason)
        _repoint_proposals(entry, candidate, proposal, user, reason)
        proposal.actor = None
        _decide(proposal, MatchProposal.Status.ACCEPTED, user, reason)
        _stamp(entry, user, reason)
        entry.delete()
    return proposal


def _absorb(candidate, entry, user, reason):
    """The candidate takes the entry's names and identifiers, and whatever it lacks of the
    entry's country, role, description and (a vessel's) IMO number and flags."""
    candidate.aliases = merged_aliases(candidate, [entry.name, *entry.aliases])
    extra = {
        key: value
        for key, value in entry.identifiers.items()
        if key not in candidate.identifiers
        or (isinstance(value, list) and isinstance(candidate.identifiers.get(key), list))
    }
    candidate.identifiers = merged_identifiers(candidate.identifiers, extra)
    for name in ("country", "role", "description"):
        if not getattr(candidate, name) and getattr(entry, name):
            setattr(candidate, name, getattr(entry, name))
    if candidate.kind == "vessel":
        candidate.imo = candidate.imo or entry.imo
        candidate.flags = candidate.flags or entry.flags
    try:
        candidate.full_clean(exclude=["created_by", "updated_by"])
    except ValidationError as error:
        raise DecisionRefused(f"The merged actor {candidate.slug} would not be valid: {error}") from error
    _stamp(candidate, user, reason)
    candidate.save()


def _move_links(entry, candidate, user, reason):
    """Every record pointing at ``entry`` (found through ``Actor._meta.related_objects``, so a
    relation added later is moved too) points at ``candidate`` instead, each saved on its own."""
    for relation in Actor._meta.related_objects:
        model, name = relation.related_model, relation.field.name
        if model is MatchProposal:
            continue
        records = model._base_manager.filter(**{name: entry}).order_by("pk")
        for record in records:
            _stamp(record, user, reason)
            if relation.many_to_many:
                links = getattr(record, name)
                links.add(candidate)
                links.remove(entry)
            else:
                setattr(record, name, candidate)
                record.save()


def _repoint_proposals(entry, candidate, accepted, user, reason):
    """The other proposals about the entry's actor: re-pointed at the candidate, which now
    holds it; one that would pair the candidate with itself is closed as accepted, and one
    that would repeat a proposal already stored goes (its history remains)."""
    for other in MatchProposal.objects.filter(actor=entry).exclude(pk=accepted.pk):
        other.actor = candidate
        _stamp(other, user, reason)
        other.save()
    for other in MatchProposal.objects.filter(candidate=entry):
        _stamp(other, user, reason)
        if other.actor_id == candidate.pk:
            other.candidate = candidate
            other.status = MatchProposal.Status.ACCEPTED
            other.decided_by = user
            other.decided_at = timezone.now()
            other.save()
        elif MatchProposal.objects.filter(actor_slug=other.actor_slug, candidate=candidate).exists():
            other.delete()
        else:
            other.candidate = candidate
            other.save()


def store_proposals(proposals):
    """Store the proposals an import made (``(entry's actor slug, candidate slug, reason,
    listed as)``), once per pair: a pair already decided is not proposed again."""
    slugs = {slug for actor, candidate, _r, _l in proposals for slug in (actor, candidate)}
    ids = dict(Actor.objects.filter(slug__in=slugs).values_list("slug", "pk"))
    known = set(MatchProposal.objects.filter(actor_slug__in=slugs).values_list("actor_slug", "candidate__slug"))
    made = 0
    for actor, candidate, reason, listed_as in proposals:
        if (actor, candidate) in known or actor not in ids or candidate not in ids:
            continue
        known.add((actor, candidate))
        MatchProposal.objects.create(
            actor_id=ids[actor], actor_slug=actor, candidate_id=ids[candidate], reason=reason[:300], listed_as=listed_as
        )
        made += 1
    return made
