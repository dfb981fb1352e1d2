"""Actors: the people, companies, bodies and vessels that are designated, speak or trade."""

from django.db import models

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

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["name"], name="actor_in_order")]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)

    natural_key.dependencies = ["geo.country"]
