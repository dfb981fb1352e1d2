from django.db import models


class SourceKind(models.TextChoices):
    NEWS = "news", "News"
    UN_DOCUMENT = "un_document", "UN document"
    GOVERNMENT = "government", "Government"
    REPORT = "report", "Report"
    ACADEMIC = "academic", "Academic"
    DATASET = "dataset", "Dataset"
    OTHER = "other", "Other"
