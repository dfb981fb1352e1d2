"""Actors: the people, companies, bodies and vessels that are designated, speak or trade."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from apps.actors.choices import ActorKind
from apps.common.models import TrackedModel


class Actor(TrackedModel):
    """A person, organisation, company, government body, vessel or armed group.

    An actor may be designated under sanctions regimes, make claims or statements, or be
    the supplier or recipient behind a transfer. ``identifiers`` holds the ids that lists
    give it (``{"un_ref": "KPe.001", "ofac_uid": "9345"}``), which is how the same actor is
    recognised across the UN and OFAC lists.
    """

    LARGE_TABLE = True
    NATURAL_KEY = ("slug",)
    TRIMMED_FIELDS = ("slug", "name")

    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=32, choices=ActorKind.choices, db_index=True)
    name = models.CharField(max_length=500, db_index=True)
    aliases = models.JSONField(default=list, blank=True)
    country = models.ForeignKey(
        "geo.Country",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actors",
        help_text="Nationality of a person, seat of an organisation, flag of a vessel.",
    )
    role = models.CharField(
        max_length=300, blank=True, db_index=True, help_text='e.g. "Spokesperson, US National Security Council".'
    )
    description = models.TextField(blank=True)
    identifiers = models.JSONField(
        default=dict, blank=True, help_text='e.g. {"un_ref": "KPi.033", "ofac_uid": "9345"}.'
    )

    imo = models.CharField(
        "IMO number",
        max_length=7,
        blank=True,
        db_index=True,
        help_text="A vessel's IMO number: seven digits, the last the check digit (e.g. 9176187).",
    )
    flags = models.JSONField(
        default=list,
        blank=True,
        help_text='A vessel\'s flags, as lists give them: [{"country": "KP", "from": "2019-01-01", "to": null}].',
    )

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["name"], name="actor_in_order")]

    def clean(self):
        super().clean()
        if self.imo:
            self.imo = valid_imo(self.imo, field="imo")
        if self.imo and self.kind != "vessel":
            raise ValidationError({"imo": "only a vessel has an IMO number"})
        if not isinstance(self.flags, list) or any(
            not isinstance(flag, dict) or not flag.get("country") for flag in self.flags
        ):
            raise ValidationError({"flags": 'a list of {"country": ISO code, "from": date, "to": date}'})

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)

    natural_key.dependencies = ["geo.country"]


def valid_imo(value, *, field="imo"):
    """``value`` as seven digits (``"IMO 9176187"`` → ``"9176187"``) when its check digit is
    right; otherwise a ``ValidationError`` naming ``field``."""
    # Imported here: rigour's identifiers bring its transliteration tables, a tenth of a
    # second of every process's start-up, which only a vessel's number needs.
    from rigour.ids import IMO

    digits = str(value).strip().upper().removeprefix("IMO").strip()
    if not (len(digits) == 7 and digits.isdigit() and IMO.is_valid(digits)):
        raise ValidationError({field: f"{value!r} is not an IMO number (seven digits, the last the check digit)"})
    return digits


class MatchProposal(models.Model):
    """Two actors that may be one: an entry of an official list (``actor``, as the import
    created it) whose names agree with an actor already stored (``candidate``), but with no
    strong identifier (a UN reference, an IMO number, a passport) to say so. An editor
    accepts it (the entry's actor is merged into the candidate: its designations, claims and
    transfers move over, its names become aliases) or rejects it (they stay two actors, and
    the next import of the list does not propose it again).

    Editorial work, not data: no API, export or fixture carries it (hence not a
    ``TrackedModel``); its history is kept."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Waiting for a decision"
        ACCEPTED = "accepted", "Accepted: one actor"
        REJECTED = "rejected", "Rejected: two actors"

    actor = models.ForeignKey(
        Actor, on_delete=models.SET_NULL, null=True, blank=True, related_name="proposals_as_entry"
    )
    actor_slug = models.SlugField(max_length=200, help_text="The entry's actor, kept after it is merged away.")
    candidate = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="proposals_as_candidate")
    reason = models.CharField(max_length=300, help_text='Why the names agree, e.g. "same name".')
    listed_as = models.CharField(max_length=200, blank=True, help_text='The list entry, e.g. "UK 13016".')
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROPOSED, db_index=True)
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["status", "-proposed_at"]
        constraints = [
            models.UniqueConstraint(fields=["actor_slug", "candidate"], name="one_proposal_per_pair"),
        ]

    def __str__(self):
        return f"{self.actor_slug} ~ {self.candidate.slug}: {self.reason}"
