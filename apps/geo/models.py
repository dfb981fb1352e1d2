"""Countries: the nodes of every relationship the database records."""

from django.db import models

from apps.common.models import TrackedModel


class Country(TrackedModel):
    """A state or territory with an ISO 3166-1 code.

    Suppliers, recipients, voters on resolutions, targets of regimes and parties to
    relationships are all countries. The table is filled from ISO 3166-1 by a migration;
    editors add aliases ("DPRK", "North Korea") and UN membership dates.
    """

    NATURAL_KEY = ("iso2",)
    TRIMMED_FIELDS = ("iso2", "iso3", "name")

    iso2 = models.CharField("ISO alpha-2", max_length=2, unique=True, help_text="Upper case, e.g. KP.")
    iso3 = models.CharField("ISO alpha-3", max_length=3, blank=True)
    name = models.CharField(max_length=200, db_index=True)
    official_name = models.CharField(max_length=300, blank=True)
    aliases = models.JSONField(default=list, blank=True, help_text="Other names, e.g. DPRK, North Korea.")
    un_member_since = models.DateField("UN member since", null=True, blank=True)
    sc_permanent_member = models.BooleanField("permanent Security Council member", default=False)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(iso2__regex=r"^[A-Z]{2}$"),
                name="country_iso2_upper_alpha2",
                violation_error_message="iso2 must be two upper-case letters.",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.iso2})"

    @classmethod
    def normalize_natural_key(cls, key):
        return tuple(value.strip().upper() if isinstance(value, str) else value for value in key)

    def normalize_fields(self):
        self.iso2 = (self.iso2 or "").upper()
        self.iso3 = (self.iso3 or "").upper()
