from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender, **kwargs):
    from apps.common.roles import sync_roles

    sync_roles()


class CommonConfig(AppConfig):
    """Shared base models, bookkeeping signals, roles and system checks."""

    name = "apps.common"
    label = "common"

    def ready(self):
        from apps.common import checks, signals  # noqa: F401
        from apps.common.cache import connect_signals

        # Cached answers (the profile, the graph) go stale on every write of the data.
        connect_signals()

        # Keep the roles' permissions in step with models added by later migrations.
        post_migrate.connect(_sync_roles, sender=self)
