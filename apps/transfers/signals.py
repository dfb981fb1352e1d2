"""Every save, delete and many-to-many change of a record the findings read marks the transfers
whose findings it may change, and settles them (``apps.transfers.findings``): at once when
they are few, else through the background task. Every save and delete of a transfer, a claim
or a designation, and an actor given another country, move them between the tallies' rows
(``apps.transfers.tallies``). The loader, which writes without signals, calls ``after_load``
instead."""

import threading

from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from apps.actors.models import Actor
from apps.geo.models import Country
from apps.resolutions.models import Provision, Resolution, Vote
from apps.sanctions.models import Authority, Designation, Measure, Regime
from apps.transfers import findings, tallies
from apps.transfers.models import Claim, Finding, Transfer


def _regimes_of_resolutions(resolution_ids):
    return Regime.objects.filter(
        Q(resolutions__in=resolution_ids) | Q(measures__provisions__resolution__in=resolution_ids)
    ).distinct()


def _regimes_of_measures(measure_ids):
    return Regime.objects.filter(measures__in=measure_ids).distinct()


def _of_measures(pks):
    return findings.dependents_of_regimes(_regimes_of_measures(pks)) | Q(findings__measure_id__in=pks)


def _of_regimes(pks):
    return findings.dependents_of_regimes(Regime.objects.filter(pk__in=pks))


def _of_authorities(pks):
    return findings.dependents_of_regimes(Regime.objects.filter(authority__in=pks))


def _of_resolutions(pks):
    return findings.dependents_of_regimes(_regimes_of_resolutions(pks))


def _of_provisions(pks):
    resolutions = list(Provision.objects.filter(pk__in=pks).values_list("resolution_id", flat=True))
    measures = list(Measure.objects.filter(provisions__in=pks).values_list("pk", flat=True))
    regimes = Regime.objects.filter(Q(measures__in=measures) | Q(resolutions__in=resolutions)).distinct()
    return findings.dependents_of_regimes(regimes)


def _of_votes(pks):
    return _of_positions(Vote.objects.filter(pk__in=pks).values_list("resolution_id", "country_id"))


def _of_positions(votes):
    """The transfers of the voting countries under the regimes of the resolutions voted on
    (``votes``: ``(resolution pk, country pk)`` pairs): their findings' reasons name the votes."""
    votes = list(votes)
    regimes = _regimes_of_resolutions({r for r, _c in votes})
    return findings.dependents_of_regimes(regimes) & findings.transfers_of_countries({c for _r, c in votes})


def _of_designations(pks):
    actors = list(Designation.objects.filter(pk__in=pks).values_list("actor_id", flat=True))
    return findings.transfers_of_actors(actors) | Q(findings__designation_id__in=pks)


def _of_countries(pks):
    return findings.transfers_of_countries(pks)


def _of_claims(pks):
    # A notification to a committee exempts a supply, or fulfils a duty to notify it. A load's
    # claims are tens of thousands: one array, not a parameter each.
    return Q(claims__id__any_of=pks)


def _of_actors(pks):
    # A designated actor's name is in its findings' reasons.
    return Q(findings__designation__actor_id__in=pks)


# What the rules read besides the transfer itself, and which transfers a write of each bears on.
BEARING = {
    Measure: _of_measures,
    Regime: _of_regimes,
    Authority: _of_authorities,
    Resolution: _of_resolutions,
    Provision: _of_provisions,
    Vote: _of_votes,
    Designation: _of_designations,
    Country: _of_countries,
    Actor: _of_actors,
    Claim: _of_claims,
}


def bearing_on(model, pks):
    """The condition on transfers whose findings a write of ``model``'s records ``pks`` may
    change (None: none)."""
    pks = list(pks)
    if not pks or model not in BEARING:
        return None
    return BEARING[model](pks)


def _settle(model, pks, using):
    condition = bearing_on(model, pks)
    if condition is not None:
        findings.queue_where(condition, using=using)


def _transfer_saving(sender, instance, raw=False, using="default", **kwargs):
    """Before a transfer is written: the state it had, whose cap peers its change concerns,
    and what it was counted toward in the tallies."""
    instance._state_before = ()
    instance._counted_before = None
    if instance.pk is None:
        return
    old = Transfer._base_manager.using(using).filter(pk=instance.pk).first()
    if old is not None:
        instance._state_before = (findings.state_of(old),)
        instance._counted_before = tallies.counted(old)


def _transfer_saved(sender, instance, using="default", **kwargs):
    was = getattr(instance, "_counted_before", None)
    now = tallies.stored_counted([instance.pk], using=using)[instance.pk]
    tallies.move([was] if was else [], [now], using=using)
    if was is not None:
        tallies.claims_of_transfer(
            instance.pk, published_before=was.published, published_now=now.published, using=using
        )
    before = getattr(instance, "_state_before", ())
    findings.settle([instance.pk], cascade=True, before=before, using=using)


# The transfers being deleted now (their claims go first, each with its own signal).
_going = threading.local()


def _transfer_deleting(sender, instance, using="default", **kwargs):
    """Before a transfer goes: the other supplies counted with it under a trade cap, and what
    it and its findings are counted toward in the tallies (its claims go before it, each with
    its own signal)."""
    instance._cap_peers = findings.peers_of([findings.state_of(instance)], exclude=[instance.pk])
    instance._counted_gone = tallies.stored_counted([instance.pk], using=using).get(instance.pk)
    tallies.findings_leaving([instance.pk], using=using)
    _going.__dict__.setdefault(using, set()).add(instance.pk)


def _transfer_deleted(sender, instance, using="default", **kwargs):
    _going.__dict__.get(using, set()).discard(instance.pk)
    gone = getattr(instance, "_counted_gone", None)
    if gone is not None:
        tallies.move(removed=[gone], using=using)
    tallies.findings_left(using=using)
    peers = getattr(instance, "_cap_peers", ())
    if peers:
        findings.settle(peers, using=using)


def _findings_leaving_with_measure(sender, instance, using="default", **kwargs):
    """A measure or a designation about to go takes its findings with it (by cascade); the
    transfers that had one, and those a designation bore on (a measure on listed parties
    only reaches them through it), are worked out again once it is gone
    (``_findings_left``): their other findings are numbered anew, and may change."""
    column = "measure_id" if sender is Measure else "designation_id"
    transfers = set(Finding.objects.using(using).filter(**{column: instance.pk}).values_list("transfer_id", flat=True))
    tallies.findings_leaving(transfers, using=using)
    bearing = bearing_on(sender, [instance.pk]) if sender is Designation else None
    if bearing is not None:
        transfers |= set(Transfer._base_manager.using(using).filter(bearing).values_list("pk", flat=True))
    instance._findings_to_settle = sorted(transfers)


def _findings_left(sender, instance, using="default", **kwargs):
    tallies.findings_left(using=using)
    transfers = getattr(instance, "_findings_to_settle", ())
    if transfers:
        findings.settle(transfers, using=using)


def _designation_saving(sender, instance, using="default", **kwargs):
    instance._designation_key_before = tallies.stored_designation_key(instance.pk, using=using) if instance.pk else None


def _designation_saved(sender, instance, using="default", **kwargs):
    was = getattr(instance, "_designation_key_before", None)
    tallies.move_designations([was], [tallies.stored_designation_key(instance.pk, using=using)], using=using)


def _designation_deleting(sender, instance, using="default", **kwargs):
    instance._designation_key_gone = tallies.stored_designation_key(instance.pk, using=using)


def _designation_counted_out(sender, instance, using="default", **kwargs):
    tallies.move_designations(removed=[getattr(instance, "_designation_key_gone", None)], using=using)


def _actor_saving(sender, instance, using="default", **kwargs):
    stored = Actor._base_manager.using(using).filter(pk=instance.pk).values_list("country_id", flat=True)
    instance._country_before = stored.first() if instance.pk else None


def _actor_saved(sender, instance, created=False, using="default", **kwargs):
    if not created:
        now = Actor._base_manager.using(using).filter(pk=instance.pk).values_list("country_id", flat=True).first()
        tallies.designations_of_actor(
            instance.pk, country_before=getattr(instance, "_country_before", None), country_now=now, using=using
        )


def _claim_saving(sender, instance, using="default", **kwargs):
    instance._claim_key_before = tallies.stored_claim_key(instance.pk, using=using) if instance.pk else None


def _claim_saved(sender, instance, using="default", **kwargs):
    was = getattr(instance, "_claim_key_before", None)
    now = tallies.stored_claim_key(instance.pk, using=using)
    tallies.move_claims([was] if was else [], [now] if now else [], using=using)


def _claim_deleting(sender, instance, using="default", **kwargs):
    instance._claim_key_gone = tallies.stored_claim_key(instance.pk, using=using)


def _claim_counted_out(sender, instance, using="default", **kwargs):
    gone = getattr(instance, "_claim_key_gone", None)
    if gone is not None:
        tallies.move_claims(removed=[gone], using=using)


def _saved(sender, instance, using="default", **kwargs):
    _settle(sender, [instance.pk], using)


def _claim_deleted(sender, instance, using="default", **kwargs):
    # Not when the claim goes with its transfer: findings written now would outlive it.
    if instance.transfer_id not in _going.__dict__.get(using, ()):
        findings.settle([instance.transfer_id], using=using)


def _vote_deleted(sender, instance, using="default", **kwargs):
    findings.queue_where(_of_positions([(instance.resolution_id, instance.country_id)]), using=using)


def _provision_deleted(sender, instance, using="default", **kwargs):
    """A provision removed: a measure resting on it may rest on other resolutions now (its
    findings on the measure itself cascade away with a deleted measure or designation)."""
    findings.queue_where(_of_resolutions([instance.resolution_id]), using=using)


def _links_changed(sender, instance, action, reverse, model, pk_set, using="default", **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        _settle(type(instance), [instance.pk], using)
    elif pk_set:
        _settle(model, pk_set, using)
    else:  # a reverse clear: what the other side linked is not known any more; its side is
        _settle(type(instance), [instance.pk], using)


def connect():
    pre_save.connect(_transfer_saving, sender=Transfer, dispatch_uid="findings:transfer:saving")
    post_save.connect(_transfer_saved, sender=Transfer, dispatch_uid="findings:transfer:save")
    pre_delete.connect(_transfer_deleting, sender=Transfer, dispatch_uid="findings:transfer:deleting")
    post_delete.connect(_transfer_deleted, sender=Transfer, dispatch_uid="findings:transfer:delete")
    for model in (Measure, Designation):
        label = model._meta.label_lower
        pre_delete.connect(_findings_leaving_with_measure, sender=model, dispatch_uid=f"tallies:{label}:deleting")
        post_delete.connect(_findings_left, sender=model, dispatch_uid=f"tallies:{label}:delete")
    pre_save.connect(_designation_saving, sender=Designation, dispatch_uid="tallies:designation:saving")
    post_save.connect(_designation_saved, sender=Designation, dispatch_uid="tallies:designation:save")
    pre_delete.connect(_designation_deleting, sender=Designation, dispatch_uid="tallies:designation:counted")
    post_delete.connect(_designation_counted_out, sender=Designation, dispatch_uid="tallies:designation:out")
    pre_save.connect(_actor_saving, sender=Actor, dispatch_uid="tallies:actor:saving")
    post_save.connect(_actor_saved, sender=Actor, dispatch_uid="tallies:actor:save")
    pre_save.connect(_claim_saving, sender=Claim, dispatch_uid="tallies:claim:saving")
    post_save.connect(_claim_saved, sender=Claim, dispatch_uid="tallies:claim:save")
    pre_delete.connect(_claim_deleting, sender=Claim, dispatch_uid="tallies:claim:deleting")
    post_delete.connect(_claim_counted_out, sender=Claim, dispatch_uid="tallies:claim:delete")
    for model in BEARING:
        post_save.connect(_saved, sender=model, dispatch_uid=f"findings:{model._meta.label_lower}:save")
    post_delete.connect(_vote_deleted, sender=Vote, dispatch_uid="findings:vote:delete")
    post_delete.connect(_claim_deleted, sender=Claim, dispatch_uid="findings:claim:delete")
    post_delete.connect(_provision_deleted, sender=Provision, dispatch_uid="findings:provision:delete")
    for field in (Measure.provisions, Regime.resolutions, Authority.members):
        through = field.through
        m2m_changed.connect(_links_changed, sender=through, dispatch_uid=f"findings:{through._meta.label_lower}")


def after_load(written, *, before=(), rows_before=None, using="default"):
    """After the loader wrote ``written`` (``{model: [pk, ...]}``, its new and changed records;
    ``before``: the earlier ``state_of`` of the transfers it changed; ``rows_before``: the stored
    values of the records it changed that the tallies count, as they were): move them in the tallies,
    mark the transfers it bears on and write their findings."""
    tallies.after_load(written, rows_before or {}, using=using)
    transfers = list(written.get(Transfer, ()))
    if before:
        findings.mark(findings.peers_of(before, exclude=transfers))
    conditions = [bearing_on(model, pks) for model, pks in written.items() if model is not Transfer]
    conditions = [c for c in conditions if c is not None]
    if transfers:
        # Worked out at once rather than through the queue: a load's transfers are many.
        findings.recompute(transfers, cascade=transfers)
    if conditions:
        condition = conditions[0]
        for other in conditions[1:]:
            condition |= other
        # The others it bears on (the transfers of its claims, of its designations' actors...),
        # those just worked out left out.
        bearing = Transfer._base_manager.using(using).filter(condition).values_list("pk", flat=True).distinct()
        bearing = sorted(set(bearing) - set(transfers))
        if bearing:
            findings.recompute(bearing)
    if transfers or conditions:
        # A load is a batch of its own: its findings are written before it ends, whatever their
        # number (the other transfers it bears on, and cap peers past the sync limit, queued).
        findings.process()
