from django.apps import AppConfig


class ExploreConfig(AppConfig):
    """The questions that span apps (a country's profile, the graph of countries) and, later,
    the public pages. It sits above every domain app and nothing imports it."""

    name = "apps.explore"
    label = "explore"
