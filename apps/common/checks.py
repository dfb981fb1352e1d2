"""System checks that refuse unsafe production settings."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=False)
def check_secret_key(app_configs, **kwargs):
    if not settings.DEBUG and settings.SECRET_KEY == settings.DEVELOPMENT_SECRET_KEY:
        return [
            Error(
                "DEBUG is off but SECRET_KEY is the public development key.",
                hint=(
                    "In production set the SECRET_KEY environment variable to a long random value; "
                    "on a development machine set DEBUG=true (python3 dev.py up does)."
                ),
                id="sanctionsdb.E001",
            )
        ]
    return []
