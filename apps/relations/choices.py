from django.db import models


class RelationshipKind(models.TextChoices):
    ALLIANCE = "alliance", "Alliance"
    STRATEGIC_PARTNERSHIP = "strategic_partnership", "Strategic partnership"
    MILITARY_COOPERATION = "military_cooperation", "Military cooperation"
    ECONOMIC_COOPERATION = "economic_cooperation", "Economic cooperation"
    DIPLOMATIC_SUPPORT = "diplomatic_support", "Diplomatic support"
    HOSTILITY = "hostility", "Hostility"


class EventKind(models.TextChoices):
    STATE_VISIT = "state_visit", "State visit"
    SUMMIT = "summit", "Summit"
    TREATY_SIGNING = "treaty_signing", "Treaty signing"
    WEAPONS_TEST = "weapons_test", "Weapons test"
    MILITARY_ACTION = "military_action", "Military action"
    SANCTIONS_ACTION = "sanctions_action", "Sanctions action"
    OTHER = "other", "Other"
