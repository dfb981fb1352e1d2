from django.apps import AppConfig


class SanctionsConfig(AppConfig):
    name = "apps.sanctions"
    label = "sanctions"
