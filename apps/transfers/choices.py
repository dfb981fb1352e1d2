from django.db import models

from apps.sanctions.choices import TransferCategory

__all__ = ["DatePrecision", "Stance", "TransferCategory", "TransferStatus"]


class TransferStatus(models.TextChoices):
    ALLEGED = "alleged", "Alleged"
    CORROBORATED = "corroborated", "Corroborated"
    CONFIRMED = "confirmed", "Confirmed"
    DISPROVEN = "disproven", "Disproven"


class DatePrecision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


class Stance(models.TextChoices):
    ALLEGES = "alleges", "Alleges"
    CORROBORATES = "corroborates", "Corroborates"
    ACKNOWLEDGES = "acknowledges", "Acknowledges"
    DENIES = "denies", "Denies"
