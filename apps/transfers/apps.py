from django.apps import AppConfig


class TransfersConfig(AppConfig):
    name = "apps.transfers"
    label = "transfers"

    def ready(self):
        from apps.transfers import signals

        # Stored findings follow every write of what they read (apps.transfers.findings).
        signals.connect()
