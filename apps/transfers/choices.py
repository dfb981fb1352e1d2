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
    # A state's notification of the supply to a UN sanctions committee (its source a un_document).
    NOTIFIES = "notifies", "Notifies (to a UN committee)"
    DENIES = "denies", "Denies"
