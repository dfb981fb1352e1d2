from django.db import models


class ActorKind(models.TextChoices):
    PERSON = "person", "Person"
    ORGANIZATION = "organization", "Organization"
    COMPANY = "company", "Company"
    GOVERNMENT_BODY = "government_body", "Government body"
    VESSEL = "vessel", "Vessel"
    AIRCRAFT = "aircraft", "Aircraft"
    ARMED_GROUP = "armed_group", "Armed group"
