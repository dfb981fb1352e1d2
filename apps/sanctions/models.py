"""Sanctions: who imposes them, the regimes, the measures and who is designated."""

from django.core.exceptions import ValidationError
from django.db import models

from apps.common.models import TrackedModel, date_range_constraint, validate_date_range
from apps.sanctions.choices import AuthorityKind, Direction, MeasureKind, TransferCategory


class Authority(TrackedModel):
    """A body that imposes sanctions: the UN Security Council, a state (US, UK) or the EU."""

    NATURAL_KEY = ("code",)
    TRIMMED_FIELDS = ("code", "name")

    code = models.CharField(max_length=16, unique=True, help_text='"UN", "US", "EU", "UK".')
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=AuthorityKind.choices, db_index=True)
    country = models.ForeignKey(
        "geo.Country", on_delete=models.PROTECT, null=True, blank=True, related_name="authorities"
    )

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "authorities"

    def __str__(self):
        return f"{self.code} — {self.name}"

    def natural_key(self):
        return (self.code,)

    natural_key.dependencies = ["geo.country"]


class Regime(TrackedModel):
    """A sanctions programme of one authority, usually against one country (UN-1718 on the
    DPRK), sometimes thematic (no target country). UN regimes rest on resolutions."""

    NATURAL_KEY = ("code",)
    TRIMMED_FIELDS = ("code", "name")

    code = models.CharField(max_length=64, unique=True, help_text='"UN-1718", "US-DPRK", "EU-DPRK".')
    name = models.CharField(max_length=300)
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="regimes")
    target_country = models.ForeignKey(
        "geo.Country",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="targeting_regimes",
        help_text="Empty for thematic regimes (terrorism, cyber).",
    )
    resolutions = models.ManyToManyField("resolutions.Resolution", blank=True, related_name="regimes")
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    url = models.URLField("URL", max_length=1000, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [date_range_constraint("regime_ended_after_started")]

    def __str__(self):
        return self.code

    def natural_key(self):
        return (self.code,)

    natural_key.dependencies = ["sanctions.authority", "geo.country", "resolutions.resolution"]

    def clean(self):
        errors = {}
        validate_date_range(errors, self.started_on, self.ended_on)
        if errors:
            raise ValidationError(errors)


class Measure(TrackedModel):
    """One prohibition within a regime, e.g. UN-1718's ban on arms exports from the DPRK.

    ``direction`` says which flows it forbids relative to the regime's target, ``covers``
    which transfer categories, and ``provisions`` the resolution paragraphs it rests on.
    This is what the contraventions question checks transfers against.
    """

    NATURAL_KEY = ("regime__code", "code")
    TRIMMED_FIELDS = ("code",)

    regime = models.ForeignKey(Regime, on_delete=models.CASCADE, related_name="measures")
    code = models.SlugField(max_length=64, help_text='e.g. "arms-export-ban".')
    kind = models.CharField(max_length=32, choices=MeasureKind.choices, db_index=True)
    direction = models.CharField(max_length=32, choices=Direction.choices, db_index=True)
    covers = models.JSONField(default=list, blank=True, help_text="Transfer categories this measure forbids.")
    provisions = models.ManyToManyField("resolutions.Provision", blank=True, related_name="measures")
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["regime", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["regime", "code"],
                name="measure_unique_code_per_regime",
                violation_error_message="This regime already has a measure with this code.",
            ),
            date_range_constraint("measure_ended_after_started"),
        ]

    def __str__(self):
        return f"{self.regime_id and self.regime.code} {self.code}"

    def natural_key(self):
        return self.regime.natural_key() + (self.code,)

    natural_key.dependencies = ["sanctions.regime", "resolutions.provision"]

    def clean(self):
        errors = {}
        validate_date_range(errors, self.started_on, self.ended_on)
        if not isinstance(self.covers, list):
            errors["covers"] = "covers must be a list of transfer categories."
        else:
            unknown = [value for value in self.covers if value not in TransferCategory.values]
            if unknown:
                errors["covers"] = (
                    f"Not transfer categories: {', '.join(map(repr, unknown))}. "
                    f"Choose from {', '.join(TransferCategory.values)}."
                )
        if errors:
            raise ValidationError(errors)


class Designation(TrackedModel):
    """An actor's listing under a regime: the list's reference (UN "KPi.033", an OFAC entry
    number), when it was listed, why, and when it was delisted if it was."""

    NATURAL_KEY = ("regime__code", "reference")
    TRIMMED_FIELDS = ("reference",)

    regime = models.ForeignKey(Regime, on_delete=models.PROTECT, related_name="designations")
    actor = models.ForeignKey("actors.Actor", on_delete=models.PROTECT, related_name="designations")
    reference = models.CharField(max_length=64, help_text='"KPi.033", or the list\'s own id.')
    listed_on = models.DateField(null=True, blank=True, db_index=True)
    delisted_on = models.DateField(null=True, blank=True)
    reason = models.TextField(blank=True)
    sources = models.ManyToManyField("evidence.Source", blank=True, related_name="designations")

    class Meta:
        ordering = ["regime", "reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["regime", "reference"],
                name="designation_unique_reference_per_regime",
                violation_error_message="This regime already has a designation with this reference.",
            ),
            date_range_constraint("designation_delisted_after_listed", start="listed_on", end="delisted_on"),
        ]

    def __str__(self):
        return f"{self.reference} — {self.actor_id and self.actor}"

    def natural_key(self):
        return self.regime.natural_key() + (self.reference,)

    natural_key.dependencies = ["sanctions.regime", "actors.actor", "evidence.source"]

    def clean(self):
        errors = {}
        validate_date_range(errors, self.listed_on, self.delisted_on, "listed_on", "delisted_on")
        if errors:
            raise ValidationError(errors)
