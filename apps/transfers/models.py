"""Transfers between countries alleged to break sanctions, and the claims made about them."""

from django.core.exceptions import ValidationError
from django.db import models

from apps.common.models import CuratedModel, date_range_constraint, validate_date_range
from apps.transfers.choices import DatePrecision, Stance, TransferCategory, TransferStatus


class Transfer(CuratedModel):
    """Something that moved, or is alleged to have moved, from one country to another:
    shells, missiles, fuel, technology, troops, money.

    ``status`` is the editors' summary of the evidence; the claims say who alleges,
    corroborates or denies it and on which source. A transfer may be given in exchange for
    others (munitions for fuel and technology).
    """

    LARGE_TABLE = True
    NATURAL_KEY = ("reference",)
    TRIMMED_FIELDS = ("reference",)

    reference = models.SlugField(max_length=200, unique=True, help_text="A slug chosen by the researcher.")
    # Indexed with the list's order (Meta.indexes), not on their own.
    supplier = models.ForeignKey(
        "geo.Country", on_delete=models.PROTECT, related_name="transfers_supplied", db_index=False
    )
    recipient = models.ForeignKey(
        "geo.Country", on_delete=models.PROTECT, related_name="transfers_received", db_index=False
    )
    supplier_actor = models.ForeignKey(
        "actors.Actor", on_delete=models.PROTECT, null=True, blank=True, related_name="transfers_supplied"
    )
    recipient_actor = models.ForeignKey(
        "actors.Actor", on_delete=models.PROTECT, null=True, blank=True, related_name="transfers_received"
    )
    category = models.CharField(max_length=32, choices=TransferCategory.choices)
    items = models.CharField(max_length=500, blank=True, help_text='What moved, e.g. "152 mm artillery shells".')
    quantity_low = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    quantity_high = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    quantity_unit = models.CharField(
        max_length=64, blank=True, db_index=True, help_text='e.g. "shells", "barrels", "troops".'
    )
    part_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="parts",
        help_text="The reported larger transfer this is a delivery within (a year's deliveries of a SIPRI deal, a "
        "notified shipment within a reported yearly total). A sum counts a whole as the larger of its own "
        "quantity and the sum of its parts, never both.",
    )
    value_low = models.DecimalField(max_digits=20, decimal_places=3, null=True, blank=True, db_index=True)
    value_high = models.DecimalField(max_digits=20, decimal_places=3, null=True, blank=True, db_index=True)
    value_unit = models.CharField(
        max_length=64, blank=True, db_index=True, help_text='e.g. "SIPRI TIV (millions)", "USD".'
    )
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True, db_index=True)
    date_precision = models.CharField(max_length=8, choices=DatePrecision.choices, default=DatePrecision.DAY)
    status = models.CharField(
        max_length=16, choices=TransferStatus.choices, default=TransferStatus.ALLEGED, db_index=True
    )
    via = models.ManyToManyField("geo.Country", blank=True, related_name="transfers_via")
    in_exchange_for = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="given_for", help_text="What the supplier got in return."
    )
    sources = models.ManyToManyField("evidence.Source", blank=True, related_name="transfers")
    vessels = models.ManyToManyField(
        "actors.Actor",
        blank=True,
        related_name="transfers_carried",
        limit_choices_to={"kind": "vessel"},
        help_text="The ships that carried it (the DPRK–Russia cargo ships).",
    )
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_on", "reference"]
        # The list in its order, and filtered by each party or category in that order: a page
        # is read off an index whatever the number of transfers (tests/test_query_plans.py).
        indexes = [
            models.Index(fields=["-started_on", "reference"], name="transfer_in_order"),
            models.Index(fields=["supplier", "-started_on", "reference"], name="transfer_by_supplier"),
            models.Index(fields=["recipient", "-started_on", "reference"], name="transfer_by_recipient"),
            models.Index(fields=["category", "-started_on", "reference"], name="transfer_by_category"),
            # A tally's bucket (apps.transfers.tallies): its earliest start and latest end read
            # again, off this index alone, when the transfer that held one leaves it.
            models.Index(
                fields=["supplier", "recipient", "category", "status", "review_status", "started_on", "ended_on"],
                name="transfer_tally_bucket",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(supplier=models.F("recipient")),
                name="transfer_supplier_not_recipient",
                violation_error_message="The supplier and the recipient must be different countries.",
            ),
            date_range_constraint("transfer_ended_after_started"),
            models.CheckConstraint(
                condition=models.Q(quantity_low__isnull=True)
                | models.Q(quantity_high__isnull=True)
                | models.Q(quantity_high__gte=models.F("quantity_low")),
                name="transfer_quantity_high_not_below_low",
                violation_error_message="quantity_high must not be below quantity_low.",
            ),
            models.CheckConstraint(
                condition=models.Q(value_low__isnull=True)
                | models.Q(value_high__isnull=True)
                | models.Q(value_high__gte=models.F("value_low")),
                name="transfer_value_high_not_below_low",
                violation_error_message="value_high must not be below value_low.",
            ),
        ]

    def __str__(self):
        return f"{self.reference}: {self.category} {self.supplier_id and self.supplier.iso2} → {self.recipient_id and self.recipient.iso2}"

    def natural_key(self):
        return (self.reference,)

    natural_key.dependencies = ["geo.country", "actors.actor", "evidence.source"]

    def clean(self):
        errors = {}
        if self.supplier_id and self.supplier_id == self.recipient_id:
            errors["recipient"] = "The supplier and the recipient must be different countries."
        validate_date_range(errors, self.started_on, self.ended_on)
        if self.quantity_low is not None and self.quantity_high is not None and self.quantity_high < self.quantity_low:
            errors["quantity_high"] = (
                f"quantity_high ({self.quantity_high}) is below quantity_low ({self.quantity_low})."
            )
        if self.value_low is not None and self.value_high is not None and self.value_high < self.value_low:
            errors["value_high"] = f"value_high ({self.value_high}) is below value_low ({self.value_low})."
        if self.part_of_id is not None and self.part_of_id == self.pk:
            errors["part_of"] = "A transfer cannot be a part of itself."
        if errors:
            raise ValidationError(errors)


class Claim(CuratedModel):
    """One party's statement about a transfer, on one date and one source: it alleges,
    corroborates, acknowledges or denies it. The claimant is a country, an actor, or both."""

    LARGE_TABLE = True
    NATURAL_KEY = ("reference",)
    TRIMMED_FIELDS = ("reference",)
    HIDDEN_WITH_DRAFT = ("transfer",)

    reference = models.SlugField(max_length=200, unique=True)
    # Indexed with the list's order (Meta.indexes).
    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="claims", db_index=False)
    stance = models.CharField(max_length=16, choices=Stance.choices, db_index=True)
    claimant_country = models.ForeignKey(
        "geo.Country", on_delete=models.PROTECT, null=True, blank=True, related_name="claims"
    )
    claimant_actor = models.ForeignKey(
        "actors.Actor", on_delete=models.PROTECT, null=True, blank=True, related_name="claims"
    )
    made_on = models.DateField(null=True, blank=True, db_index=True)
    quote = models.TextField(blank=True)
    summary = models.TextField(blank=True)
    source = models.ForeignKey("evidence.Source", on_delete=models.PROTECT, related_name="claims")

    class Meta:
        # By transfer id (the claims of a transfer together), not by the transfer's own order:
        # a page is read off the index below instead of sorting every claim.
        ordering = ["transfer_id", "made_on", "reference"]
        indexes = [models.Index(fields=["transfer", "made_on", "reference"], name="claim_in_order")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(claimant_country__isnull=False) | models.Q(claimant_actor__isnull=False),
                name="claim_names_a_claimant",
                violation_error_message="A claim names a claimant: a country, an actor or both.",
            ),
        ]

    def __str__(self):
        who = self.claimant_actor or self.claimant_country
        return f"{self.reference}: {who} {self.stance}"

    def natural_key(self):
        return (self.reference,)

    natural_key.dependencies = ["transfers.transfer", "geo.country", "actors.actor", "evidence.source"]

    def clean(self):
        if not self.claimant_country_id and not self.claimant_actor_id:
            raise ValidationError({"claimant_country": "A claim names a claimant: a country, an actor or both."})


class Audience(models.TextChoices):
    """Who a stored finding is for. Only a trade cap's arithmetic differs by reader (the public
    sums published supplies, editors every supply): its finding is stored once for each; every
    other finding is the same for all."""

    ANY = "any", "Everyone"
    PUBLIC = "public", "The public (published supplies counted)"
    EDITORS = "editors", "Editors (drafts counted too)"


class Finding(models.Model):
    """One stored finding: a measure a transfer would break, a cap it counts toward, an asset
    freeze on a designated party (docs/data-model.md, "The findings").

    Written only by the findings engine (``apps.transfers.services``) and kept true by every
    write path (``apps.transfers.findings``); every page, profile, count, filter and the API's
    ``/findings/`` read these rows. ``rules_version`` names the version of the rules that
    wrote it; ``reasons`` say in words why it applies. The votes behind it are read with it,
    from the votes themselves."""

    KEYS_DATA_VERSION = True

    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="findings")
    measure = models.ForeignKey("sanctions.Measure", on_delete=models.CASCADE, related_name="findings")
    # The transfer's parties, start, reference and review status as they were written with it
    # (every change of the transfer writes its findings again): a country's findings, counted
    # and listed in the transfer list's order, are read off this table's own indexes.
    supplier = models.ForeignKey("geo.Country", on_delete=models.PROTECT, related_name="+", db_index=False)
    recipient = models.ForeignKey("geo.Country", on_delete=models.PROTECT, related_name="+", db_index=False)
    transfer_started_on = models.DateField(null=True, blank=True)
    transfer_reference = models.CharField(max_length=200)
    published = models.BooleanField(default=False, help_text="The transfer is published (the public reads it).")
    kind = models.CharField(max_length=32, db_index=True)
    audience = models.CharField(max_length=8, choices=Audience.choices, default=Audience.ANY)
    rank = models.PositiveSmallIntegerField(default=0, help_text="Its place among the transfer's findings.")
    targets = models.CharField(max_length=16, help_text="The side the regime targets (or the designated actor's).")
    obliges = models.JSONField(default=list, help_text="The sides whose states it obliges and binds.")
    obliges_supplier = models.BooleanField(default=False, help_text="It obliges the supplier's state.")
    obliges_recipient = models.BooleanField(default=False, help_text="It obliges the recipient's state.")
    binding = models.BooleanField(default=True)
    overlap_start = models.DateField(null=True, blank=True)
    overlap_end = models.DateField(null=True, blank=True)
    to_today = models.BooleanField(default=False, help_text="The overlap runs on to today (an ongoing transfer).")
    status = models.CharField(max_length=16, help_text="The transfer's status when it was written.")
    designation = models.ForeignKey(
        "sanctions.Designation", on_delete=models.CASCADE, null=True, blank=True, related_name="findings"
    )
    cap_period_start = models.DateField(null=True, blank=True)
    cap_period_end = models.DateField(null=True, blank=True)
    cap_quantity = models.DecimalField(max_digits=20, decimal_places=3, null=True, blank=True)
    cap_unit = models.CharField(max_length=64, blank=True)
    cap_total_low = models.DecimalField(max_digits=24, decimal_places=3, null=True, blank=True)
    cap_total_high = models.DecimalField(max_digits=24, decimal_places=3, null=True, blank=True)
    cap_counted = models.PositiveIntegerField(null=True, blank=True)
    cap_open_high = models.PositiveIntegerField(null=True, blank=True)
    cap_uncounted = models.PositiveIntegerField(null=True, blank=True)
    reasons = models.JSONField(default=list)
    rules_version = models.PositiveIntegerField()
    computed_on = models.DateField(help_text="The day it was written (an ongoing transfer runs to that day).")

    class Meta:
        ordering = ["transfer_id", "audience", "rank"]
        indexes = [
            models.Index(fields=["transfer", "audience", "rank"], name="finding_of_transfer"),
            models.Index(fields=["measure", "kind"], name="finding_by_measure"),
            models.Index(fields=["measure", "cap_period_start"], name="finding_by_cap_period"),
            # The caps a country's transfers exceeded, one entry per cap and period (its
            # profile): read off the index alone, not off every exceeding finding's row.
            # (Every column a key: SQLite has no included columns.)
            models.Index(
                fields=[
                    "measure",
                    "cap_period_start",
                    "cap_period_end",
                    "cap_total_low",
                    "cap_quantity",
                    "cap_unit",
                    "supplier",
                    "recipient",
                    "audience",
                    "published",
                ],
                condition=models.Q(kind="exceeds_cap"),
                name="finding_exceeding_cap",
            ),
            # A country's findings under one measure, in the transfer list's order: the examples
            # of a resolution its profile lists are read off these, one walk per measure and side.
            models.Index(
                fields=["supplier", "measure", "-transfer_started_on", "transfer_reference"],
                name="finding_by_supplier_measure",
            ),
            models.Index(
                fields=["recipient", "measure", "-transfer_started_on", "transfer_reference"],
                name="finding_by_recipient_measure",
            ),
        ]

    def __str__(self):
        return f"{self.kind} of {self.measure_id} by transfer {self.transfer_id}"


class FindingsQueue(models.Model):
    """A transfer whose stored findings are being recomputed: written in the same transaction
    as the write that made them stale, removed when the engine has written them again. Their
    number is shown wherever an answer depends on them. ``cascade``: the transfer itself
    changed, so the other supplies counted under the same trade caps are recomputed too."""

    transfer_id = models.BigIntegerField()
    cascade = models.BooleanField(default=False)
    queued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["transfer_id", "cascade"], name="findings_queue_once")]

    def __str__(self):
        return f"transfer {self.transfer_id}"


class TransferTally(models.Model):
    """How many transfers went from one country to another in one category with one status,
    published or not: the edge of the network of countries, a country's transfers in and out
    by category and status, the home page's counts. With the number still running (no end),
    the earliest start and the latest recorded end among them.

    Counts, not findings: kept exact by every write of a transfer in the writing transaction
    (``apps.transfers.tallies``), checked and rebuilt by ``manage.py tallies``."""

    KEYS_DATA_VERSION = True

    supplier = models.ForeignKey("geo.Country", on_delete=models.CASCADE, related_name="+", db_index=False)
    recipient = models.ForeignKey("geo.Country", on_delete=models.CASCADE, related_name="+", db_index=False)
    category = models.CharField(max_length=32)
    status = models.CharField(max_length=16)
    published = models.BooleanField(help_text="The transfers are published (the public reads them).")
    transfers = models.IntegerField(help_text="How many transfers.")
    open_ended = models.IntegerField(help_text="How many of them have no end (ongoing).")
    first_start = models.DateField(null=True, blank=True, help_text="The earliest start among them.")
    last_end = models.DateField(null=True, blank=True, help_text="The latest recorded end among them.")

    class Meta:
        ordering = ["supplier_id", "recipient_id", "category", "status", "published"]
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "recipient", "category", "status", "published"], name="transfer_tally_once"
            ),
        ]
        indexes = [models.Index(fields=["recipient"], name="transfer_tally_by_recipient")]

    def __str__(self):
        return f"{self.transfers} {self.category} {self.status} {self.supplier_id} → {self.recipient_id}"


class ClaimTally(models.Model):
    """How many claims there are, by whether each is published and whether the transfer it is
    about is: the public reads the claims that are both. Kept exact by every write of a claim
    or of a transfer's review status (``apps.transfers.tallies``)."""

    KEYS_DATA_VERSION = True

    claim_published = models.BooleanField()
    transfer_published = models.BooleanField()
    claims = models.IntegerField(help_text="How many claims.")

    class Meta:
        ordering = ["claim_published", "transfer_published"]
        constraints = [
            models.UniqueConstraint(fields=["claim_published", "transfer_published"], name="claim_tally_once"),
        ]

    def __str__(self):
        return f"{self.claims} claims (published {self.claim_published}, transfer {self.transfer_published})"


class FindingTally(models.Model):
    """How many transfers from one country to another, published or not, have the same
    contravening findings as one kind of reader reads them (``audience``: the public, or
    editors, whose cap totals count drafts too): each finding's measure, kind and the states it
    obliges (``findings``). A country's profile counts off these rows the transfers behind
    each resolution it voted for and the findings that oblige it, however many transfers
    there are.

    Counts, not rules: kept exact in the transaction that writes or deletes the stored
    findings (``apps.transfers.tallies``), checked and rebuilt by ``manage.py tallies``."""

    KEYS_DATA_VERSION = True

    supplier = models.ForeignKey("geo.Country", on_delete=models.CASCADE, related_name="+", db_index=False)
    recipient = models.ForeignKey("geo.Country", on_delete=models.CASCADE, related_name="+", db_index=False)
    published = models.BooleanField(help_text="The transfers are published (the public reads them).")
    audience = models.CharField(
        max_length=8,
        choices=[(Audience.PUBLIC, "The public"), (Audience.EDITORS, "Editors")],
        help_text="Who reads the findings so: the public, or editors (whose cap totals count drafts).",
    )
    findings = models.TextField(
        help_text='The findings, each "measure id:kind:SR" (S, R: 1 when it obliges the supplier\'s, the '
        "recipient's state), sorted, separated by spaces."
    )
    transfers = models.IntegerField(help_text="How many transfers have exactly these findings.")

    class Meta:
        ordering = ["supplier_id", "recipient_id", "published", "audience", "findings"]
        constraints = [
            models.UniqueConstraint(
                fields=["supplier", "recipient", "published", "audience", "findings"], name="finding_tally_once"
            ),
        ]
        indexes = [models.Index(fields=["recipient"], name="finding_tally_by_recipient")]

    def __str__(self):
        return f"{self.transfers} transfers {self.supplier_id} → {self.recipient_id}: {self.findings}"


class TransferYearTally(models.Model):
    """How many transfers one country was party to (as supplier or recipient), by the year
    they started (0: no start date) and whether they are published: a country's timeline
    counts its earlier transfers off these rows. Kept exact by every write of a transfer
    (``apps.transfers.tallies``)."""

    KEYS_DATA_VERSION = True

    country = models.ForeignKey("geo.Country", on_delete=models.CASCADE, related_name="+", db_index=False)
    year = models.PositiveSmallIntegerField(help_text="The year the transfers started; 0 when they have no start.")
    published = models.BooleanField(help_text="The transfers are published (the public reads them).")
    transfers = models.IntegerField(help_text="How many transfers.")

    class Meta:
        ordering = ["country_id", "year", "published"]
        constraints = [
            models.UniqueConstraint(fields=["country", "year", "published"], name="transfer_year_tally_once")
        ]

    def __str__(self):
        return f"{self.transfers} transfers of {self.country_id} in {self.year or 'no year'}"


class DesignationTally(models.Model):
    """How many designations (listings of an actor under a regime) there are of the actors of
    one country, by the year they were listed (0: no listing date): a country's profile and
    timeline count its designations off these rows. Kept exact by every write of a
    designation or of an actor's country (``apps.transfers.tallies``)."""

    KEYS_DATA_VERSION = True

    country = models.ForeignKey("geo.Country", on_delete=models.CASCADE, related_name="+", db_index=False)
    year = models.PositiveSmallIntegerField(help_text="The year of the listing; 0 when it has no date.")
    designations = models.IntegerField(help_text="How many designations.")

    class Meta:
        ordering = ["country_id", "year"]
        constraints = [models.UniqueConstraint(fields=["country", "year"], name="designation_tally_once")]

    def __str__(self):
        return f"{self.designations} designations of {self.country_id} in {self.year or 'no year'}"
