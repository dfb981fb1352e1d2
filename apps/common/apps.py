from django.apps import AppConfig


class CommonConfig(AppConfig):
    """Shared base models, bookkeeping signals, roles and system checks."""

    name = "apps.common"
    label = "common"

    def ready(self):
        from apps.common import checks, signals  # noqa: F401
