from django.db import models


class Body(models.TextChoices):
    SECURITY_COUNCIL = "security_council", "Security Council"
    GENERAL_ASSEMBLY = "general_assembly", "General Assembly"


class Outcome(models.TextChoices):
    ADOPTED = "adopted", "Adopted"
    VETOED = "vetoed", "Vetoed"
    FAILED = "failed", "Failed"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Position(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    ABSTAIN = "abstain", "Abstain"
    ABSENT = "absent", "Absent"
