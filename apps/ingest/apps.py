from django.apps import AppConfig


class IngestConfig(AppConfig):
    """Researcher data loads: the validating loader, the UN and OFAC importers and the exports."""

    name = "apps.ingest"
    label = "ingest"
