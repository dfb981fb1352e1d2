from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate

from apps.common.functions import install_sqlite_functions


def _sync_roles(sender, **kwargs):
    from apps.common.roles import sync_roles

    sync_roles()


def _install_version_triggers(sender, using="default", **kwargs):
    from apps.common.dataversion import install_triggers

    install_triggers(using)


class CommonConfig(AppConfig):
    """Shared base models, bookkeeping signals, roles and system checks."""

    name = "apps.common"
    label = "common"

    def ready(self):
        from apps.common import checks, lookups, signals  # noqa: F401

        # Keep the roles' permissions in step with models added by later migrations.
        post_migrate.connect(_sync_roles, sender=self)
        # Cached answers (pages, profiles) are kept under the data version, which a trigger on
        # every table of the data raises (apps.common.dataversion): on every table, after any
        # migration (post_migrate is sent once every app has migrated).
        post_migrate.connect(_install_version_triggers, sender=self)
        connection_created.connect(install_sqlite_functions)
