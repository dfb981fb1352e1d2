from django.apps import AppConfig


class ResolutionsConfig(AppConfig):
    name = "apps.resolutions"
    label = "resolutions"
