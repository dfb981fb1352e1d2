"""UN resolutions and drafts, how each member voted, and the paragraphs that impose measures."""

import re

from django.core.exceptions import ValidationError
from django.db import models

from apps.common.models import NaturalKeyManager, TrackedModel, TrackedQuerySet
from apps.resolutions.choices import Body, Outcome, Position

_SPACE_BEFORE_YEAR = re.compile(r"\s*\(")
_WHITESPACE = re.compile(r"\s+")


def normalize_symbol(symbol):
    """Write a UN document symbol one way: "S/RES/1718(2006)" → "S/RES/1718 (2006)"."""
    if not isinstance(symbol, str):
        return symbol
    symbol = _WHITESPACE.sub(" ", symbol.strip())
    return _SPACE_BEFORE_YEAR.sub(" (", symbol)


def _normalize_leading_symbol(key):
    key = tuple(value.strip() if isinstance(value, str) else value for value in key)
    return (normalize_symbol(key[0]),) + key[1:] if key else key


class Resolution(TrackedModel):
    """A Security Council (or General Assembly) resolution, or a draft put to the vote.

    Adopted resolutions have a number and a symbol such as "S/RES/1718 (2006)"; drafts keep
    their document symbol ("S/2022/431") and the outcome says whether they were vetoed,
    failed or withdrawn. The votes record how every member voted.
    """

    NATURAL_KEY = ("symbol",)

    symbol = models.CharField(max_length=64, unique=True, help_text='"S/RES/1718 (2006)", or "S/2022/431" for a draft.')
    body = models.CharField(max_length=32, choices=Body.choices, default=Body.SECURITY_COUNCIL, db_index=True)
    number = models.PositiveIntegerField(null=True, blank=True, help_text="Empty for drafts that were not adopted.")
    voted_on = models.DateField(null=True, blank=True, db_index=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.ADOPTED, db_index=True)
    meeting = models.CharField(max_length=32, blank=True, help_text='e.g. "S/PV.9048".')
    chapter_vii = models.BooleanField("Chapter VII", default=False)
    adopted_without_vote = models.BooleanField(
        default=False, help_text="Adopted without a vote: no member's vote is recorded."
    )
    title = models.CharField(max_length=500, blank=True)
    summary = models.TextField(blank=True)
    url = models.URLField("URL", max_length=1000, blank=True)

    class Meta:
        ordering = ["voted_on", "symbol"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(outcome=Outcome.VETOED) | models.Q(number__isnull=True),
                name="resolution_vetoed_draft_has_no_number",
                violation_error_message="A vetoed draft has no resolution number.",
            ),
        ]

    def __str__(self):
        return self.symbol

    @classmethod
    def normalize_natural_key(cls, key):
        return _normalize_leading_symbol(key)

    def normalize_fields(self):
        self.symbol = normalize_symbol(self.symbol)

    def clean(self):
        self.normalize_fields()
        errors = {}
        if self.outcome == Outcome.ADOPTED and self.number is None:
            errors["number"] = "An adopted resolution has a number."
        if self.outcome != Outcome.ADOPTED and self.number is not None:
            errors["number"] = f"A draft that was {self.outcome} has no resolution number."
        if errors:
            raise ValidationError(errors)

    @property
    def tally(self):
        """Yes–no–abstain counts, e.g. "13–2–0"."""
        counts = {position: 0 for position in Position.values}
        for vote in self.votes.all():
            counts[vote.position] += 1
        return f"{counts['yes']}–{counts['no']}–{counts['abstain']}"

    @property
    def vetoed_by(self):
        """The permanent members whose no vote vetoed this draft."""
        return [vote.country for vote in self.votes.all() if vote.is_veto]


class VoteQuerySet(TrackedQuerySet):
    def vetoes(self):
        """Votes that are vetoes: a permanent member's no on a draft whose outcome is vetoed."""
        return self.filter(
            position=Position.NO,
            country__sc_permanent_member=True,
            resolution__outcome=Outcome.VETOED,
        )


class VoteManager(NaturalKeyManager.from_queryset(VoteQuerySet)):
    pass


class Vote(TrackedModel):
    """How one member voted on one resolution or draft: yes, no, abstain or absent.

    A permanent member's no on a draft whose outcome is vetoed is a veto.
    """

    NATURAL_KEY = ("resolution__symbol", "country__iso2")

    resolution = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="votes")
    country = models.ForeignKey("geo.Country", on_delete=models.PROTECT, related_name="votes")
    position = models.CharField(max_length=16, choices=Position.choices, db_index=True)

    objects = VoteManager()

    class Meta:
        ordering = ["resolution", "country__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["resolution", "country"],
                name="vote_one_per_country_per_resolution",
                violation_error_message="This country already has a vote on this resolution.",
            ),
        ]

    def __str__(self):
        return f"{self.country_id and self.country.iso2} {self.position} on {self.resolution_id and self.resolution}"

    @classmethod
    def normalize_natural_key(cls, key):
        key = _normalize_leading_symbol(key)
        return key[:1] + tuple(v.upper() if isinstance(v, str) else v for v in key[1:])

    def natural_key(self):
        return self.resolution.natural_key() + self.country.natural_key()

    natural_key.dependencies = ["resolutions.resolution", "geo.country"]

    @property
    def is_veto(self):
        return (
            self.position == Position.NO
            and self.country.sc_permanent_member
            and self.resolution.outcome == Outcome.VETOED
        )


class Provision(TrackedModel):
    """One operative paragraph of a resolution, e.g. 1718 para 8(b), which measures cite."""

    NATURAL_KEY = ("resolution__symbol", "paragraph")
    TRIMMED_FIELDS = ("paragraph",)

    resolution = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="provisions")
    paragraph = models.CharField(max_length=32, help_text='e.g. "8(b)".')
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["resolution", "paragraph"]
        constraints = [
            models.UniqueConstraint(
                fields=["resolution", "paragraph"],
                name="provision_unique_paragraph",
                violation_error_message="This resolution already has this paragraph.",
            ),
        ]

    def __str__(self):
        return f"{self.resolution_id and self.resolution} para {self.paragraph}"

    @classmethod
    def normalize_natural_key(cls, key):
        return _normalize_leading_symbol(key)

    def natural_key(self):
        return self.resolution.natural_key() + (self.paragraph,)

    natural_key.dependencies = ["resolutions.resolution"]
