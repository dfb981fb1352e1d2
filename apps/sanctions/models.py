"""Sanctions: who imposes them, the regimes, the measures and who is designated."""

from django.core.exceptions import ValidationError
from django.db import models

from apps.common.models import TrackedModel, date_range_constraint, validate_date_range
from apps.sanctions.choices import (
    AppliesTo,
    AuthorityBinds,
    AuthorityKind,
    CapPeriod,
    Direction,
    GovernmentExemption,
    MeasureKind,
    ObligedParty,
    TransferCategory,
)

# Whose state a measure obliges when it does not say (docs/data-model.md, "sanctions.Measure",
# ``obliges``).
DEFAULT_OBLIGES = {
    Direction.IMPORTS_TO_TARGET: (ObligedParty.SUPPLIER,),
    Direction.EXPORTS_FROM_TARGET: (ObligedParty.SUPPLIER, ObligedParty.RECIPIENT),
    Direction.BOTH: (ObligedParty.SUPPLIER, ObligedParty.RECIPIENT),
    Direction.NOT_APPLICABLE: (),
}
CAP_FIELDS = ("cap_quantity", "cap_unit", "cap_period")


def _list_of_choices_error(values, allowed, what):
    """What is wrong with a list field that holds values of ``allowed``, or None."""
    if not isinstance(values, list):
        return f"Expected a list of {what}: {', '.join(allowed)}."
    unknown = [value for value in values if value not in allowed]
    if unknown:
        return f"Not {what}: {', '.join(map(repr, unknown))}. Choose from {', '.join(allowed)}."
    if len(set(values)) != len(values):
        return f"Name each of the {what} once."
    return None


class Authority(TrackedModel):
    """A body that imposes sanctions: the UN Security Council, a state (US, UK) or the EU.

    ``binds`` says whom its measures bind: a UN Security Council decision binds every member
    state (``all_states``); a state's or the EU's own measures bind only persons under its
    jurisdiction (``own_jurisdiction``), and ``members`` are those states (US → [US], EU →
    its member states; when empty, the authority's own ``country``).
    """

    NATURAL_KEY = ("code",)
    TRIMMED_FIELDS = ("code", "name")

    code = models.CharField(max_length=16, unique=True, help_text='"UN", "US", "EU", "UK".')
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=AuthorityKind.choices, db_index=True)
    country = models.ForeignKey(
        "geo.Country", on_delete=models.PROTECT, null=True, blank=True, related_name="authorities"
    )
    binds = models.CharField(
        max_length=32,
        choices=AuthorityBinds.choices,
        blank=True,
        help_text="all_states (UN) or own_jurisdiction (a state, the EU). Empty: all_states for an "
        "intergovernmental authority, own_jurisdiction otherwise.",
    )
    members = models.ManyToManyField(
        "geo.Country",
        blank=True,
        related_name="member_of_authorities",
        help_text="The states an own_jurisdiction authority binds (empty: its own country).",
    )

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "authorities"

    def __str__(self):
        return f"{self.code} — {self.name}"

    def normalize_fields(self):
        if not self.binds:
            intergovernmental = self.kind == AuthorityKind.INTERGOVERNMENTAL
            self.binds = AuthorityBinds.ALL_STATES if intergovernmental else AuthorityBinds.OWN_JURISDICTION

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
    which transfer categories (parents or leaves of the tree), ``obliges`` whose state must
    prevent the flow (empty: the default for its direction), and ``provisions`` the
    resolution paragraphs it rests on. A ``trade_cap`` is not broken by one delivery: all
    supplies in a ``cap_period`` together are held against ``cap_quantity`` ``cap_unit``.
    A change of scope over time is two measures with their own dates. This is what the
    contraventions question checks transfers against.
    """

    NATURAL_KEY = ("regime__code", "code")
    TRIMMED_FIELDS = ("code",)

    regime = models.ForeignKey(Regime, on_delete=models.CASCADE, related_name="measures")
    code = models.SlugField(max_length=64, help_text='e.g. "arms-export-ban".')
    kind = models.CharField(max_length=32, choices=MeasureKind.choices, db_index=True)
    direction = models.CharField(max_length=32, choices=Direction.choices, db_index=True)
    covers = models.JSONField(default=list, blank=True, help_text="Transfer categories this measure forbids.")
    covers_in_part = models.JSONField(
        default=list,
        blank=True,
        help_text="Categories of which the measure covers only a part (e.g. 1929's UN Register categories within "
        "heavy_weapons): a transfer in one is a possible breach, its reason quoting scope_note.",
    )
    scope_note = models.TextField(blank=True, help_text="What exactly the measure covers, in the resolution's words.")
    applies_to = models.CharField(
        max_length=32,
        choices=AppliesTo.choices,
        default=AppliesTo.ALL,
        help_text="On the target's side: everyone, only non-state actors (as 1701 in Lebanon), or only those "
        "designated under the regime (as 1267/1988, Yemen's 2216).",
    )
    government_exemption = models.CharField(
        max_length=16,
        choices=GovernmentExemption.choices,
        default=GovernmentExemption.NONE,
        help_text="Supplies to (or from) the target's government allowed once notified to, or approved by, the "
        "committee.",
    )
    notification_required = models.BooleanField(
        default=False, help_text="A lawful supply must be notified to the committee (as 2397 para 5 for fuel)."
    )
    obliges = models.JSONField(
        default=list,
        blank=True,
        help_text="supplier and/or recipient: whose state the measure obliges. Empty: [supplier] for "
        "imports_to_target, [supplier, recipient] for exports_from_target and both, [] for not_applicable.",
    )
    cap_quantity = models.DecimalField(
        max_digits=20, decimal_places=3, null=True, blank=True, help_text="Trade caps only: the quantity allowed."
    )
    cap_unit = models.CharField(max_length=64, blank=True, help_text='Trade caps only, e.g. "barrels".')
    cap_period = models.CharField(
        max_length=32, choices=CapPeriod.choices, blank=True, help_text="Trade caps only: over which period."
    )
    provisions = models.ManyToManyField("resolutions.Provision", blank=True, related_name="measures")
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    exemptions = models.TextField(blank=True, help_text="What the measure allows, in words (e.g. livelihood trade).")
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

    @property
    def obliged_sides(self):
        """``obliges``, or the default for the measure's direction when it is empty."""
        return tuple(self.obliges or DEFAULT_OBLIGES.get(self.direction, ()))

    def clean(self):
        errors = {}
        validate_date_range(errors, self.started_on, self.ended_on)
        for name, allowed, what in (
            ("covers", TransferCategory.values, "transfer categories"),
            ("covers_in_part", TransferCategory.values, "transfer categories"),
            ("obliges", ObligedParty.values, "parties"),
        ):
            message = _list_of_choices_error(getattr(self, name), allowed, what)
            if message:
                errors[name] = message
        if self.kind == MeasureKind.TRADE_CAP:
            if self.cap_quantity is None:
                errors["cap_quantity"] = "A trade cap needs cap_quantity, the quantity allowed."
            if not self.cap_unit:
                errors["cap_unit"] = 'A trade cap needs cap_unit, the unit of cap_quantity (e.g. "barrels").'
            if not self.cap_period:
                errors["cap_period"] = f"A trade cap needs cap_period: {', '.join(CapPeriod.values)}."
        else:
            for name in CAP_FIELDS:
                if getattr(self, name) not in (None, ""):
                    errors[name] = f"{name} is only for a trade_cap measure; this one is {self.kind or 'of no kind'}."
        if errors:
            raise ValidationError(errors)


class Designation(TrackedModel):
    """An actor's listing under a regime: the list's reference (UN "KPi.033", an OFAC entry
    number), when it was listed, why, and when it was delisted if it was."""

    LARGE_TABLE = True
    NATURAL_KEY = ("regime__code", "reference")
    TRIMMED_FIELDS = ("reference",)

    regime = models.ForeignKey(Regime, on_delete=models.PROTECT, related_name="designations")
    actor = models.ForeignKey("actors.Actor", on_delete=models.PROTECT, related_name="designations", db_index=False)
    reference = models.CharField(max_length=64, help_text='"KPi.033", or the list\'s own id.')
    listed_on = models.DateField(null=True, blank=True, db_index=True)
    delisted_on = models.DateField(null=True, blank=True, db_index=True)
    reason = models.TextField(blank=True)
    sources = models.ManyToManyField("evidence.Source", blank=True, related_name="designations")

    class Meta:
        # By regime id, so that a page is read off the unique index below instead of sorting
        # every designation by its regime's code.
        ordering = ["regime_id", "reference"]
        # Is this actor designated under this regime (a transfer's designated party): one probe.
        indexes = [models.Index(fields=["actor", "regime"], name="designation_by_actor")]
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
