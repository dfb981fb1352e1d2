"""Relations between countries: standing relationships, dated events and public statements."""

from django.core.exceptions import ValidationError
from django.db import models

from apps.common.models import CuratedModel, date_range_constraint, validate_date_range
from apps.relations.choices import EventKind, RelationshipKind


class Relationship(CuratedModel):
    """A standing relationship between two countries over a period: an alliance, a
    strategic partnership (the 2024 Russia–DPRK treaty), cooperation or hostility."""

    NATURAL_KEY = ("reference",)
    TRIMMED_FIELDS = ("reference",)

    reference = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=32, choices=RelationshipKind.choices, db_index=True)
    country_a = models.ForeignKey("geo.Country", on_delete=models.PROTECT, related_name="relationships_as_a")
    country_b = models.ForeignKey("geo.Country", on_delete=models.PROTECT, related_name="relationships_as_b")
    title = models.CharField(max_length=300)
    started_on = models.DateField(null=True, blank=True, db_index=True)
    ended_on = models.DateField(null=True, blank=True)
    description = models.TextField(blank=True)
    sources = models.ManyToManyField("evidence.Source", blank=True, related_name="relationships")

    class Meta:
        ordering = ["-started_on", "reference"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(country_a=models.F("country_b")),
                name="relationship_two_different_countries",
                violation_error_message="country_a and country_b must be different countries.",
            ),
            date_range_constraint("relationship_ended_after_started"),
        ]

    def __str__(self):
        return self.title or self.reference

    def natural_key(self):
        return (self.reference,)

    natural_key.dependencies = ["geo.country", "evidence.source"]

    def clean(self):
        errors = {}
        if self.country_a_id and self.country_a_id == self.country_b_id:
            errors["country_b"] = "country_a and country_b must be different countries."
        validate_date_range(errors, self.started_on, self.ended_on)
        if errors:
            raise ValidationError(errors)


class Event(CuratedModel):
    """Something that happened on a date: a state visit, a summit, a treaty signing, a
    weapons test, a sanctions action. Statements may be tied to it."""

    NATURAL_KEY = ("reference",)
    TRIMMED_FIELDS = ("reference",)

    reference = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=32, choices=EventKind.choices, db_index=True)
    title = models.CharField(max_length=300)
    started_on = models.DateField(null=True, blank=True, db_index=True)
    ended_on = models.DateField(null=True, blank=True)
    location = models.ForeignKey(
        "geo.Country", on_delete=models.PROTECT, null=True, blank=True, related_name="events_hosted"
    )
    countries = models.ManyToManyField("geo.Country", blank=True, related_name="events")
    participants = models.ManyToManyField("actors.Actor", blank=True, related_name="events")
    sources = models.ManyToManyField("evidence.Source", blank=True, related_name="events")
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_on", "reference"]
        constraints = [date_range_constraint("event_ended_after_started")]

    def __str__(self):
        return self.title or self.reference

    def natural_key(self):
        return (self.reference,)

    natural_key.dependencies = ["geo.country", "actors.actor", "evidence.source"]

    def clean(self):
        errors = {}
        validate_date_range(errors, self.started_on, self.ended_on)
        if errors:
            raise ValidationError(errors)


class Statement(CuratedModel):
    """Words someone said in public, quoted from a source: who, on whose behalf, when,
    about which countries, and at which event if any."""

    NATURAL_KEY = ("reference",)
    TRIMMED_FIELDS = ("reference",)

    reference = models.SlugField(max_length=200, unique=True)
    speaker = models.ForeignKey("actors.Actor", on_delete=models.PROTECT, related_name="statements")
    on_behalf_of = models.ForeignKey(
        "geo.Country", on_delete=models.PROTECT, null=True, blank=True, related_name="statements"
    )
    made_on = models.DateField(null=True, blank=True, db_index=True)
    quote = models.TextField()
    source = models.ForeignKey("evidence.Source", on_delete=models.PROTECT, related_name="statements")
    about = models.ManyToManyField("geo.Country", blank=True, related_name="statements_about")
    event = models.ForeignKey(Event, on_delete=models.SET_NULL, null=True, blank=True, related_name="statements")

    class Meta:
        ordering = ["-made_on", "reference"]

    def __str__(self):
        return f"{self.speaker_id and self.speaker}, {self.made_on}: {self.quote[:60]}"

    def natural_key(self):
        return (self.reference,)

    natural_key.dependencies = ["actors.actor", "geo.country", "evidence.source", "relations.event"]
