"""The contract models, found once: every concrete ``TrackedModel`` of the installed apps, in
an order where each model comes after the models it refers to.

The loader writes in this order, the exporters and the change feed read in it, the roles
give permissions on its apps, and the tests walk it; nothing else lists the models. A new
model joins by subclassing ``TrackedModel`` (or ``CuratedModel``) in an installed app.
"""

from functools import cache

from django.apps import apps
from django.core import serializers


@cache
def contract_models():
    """The contract models in dependency order, as Django's serializers order them for
    fixtures (foreign keys and ``natural_key.dependencies`` first)."""
    from apps.common.models import TrackedModel

    found = [model for model in apps.get_models() if issubclass(model, TrackedModel)]
    return tuple(serializers.sort_dependencies([(None, found)], allow_cycles=False))


def contract_labels():
    """``app_label.model_name`` of every contract model, in dependency order."""
    return tuple(model._meta.label_lower for model in contract_models())


def contract_model(label):
    """The contract model of ``app_label.model_name`` (any case), or None."""
    normalized = (label or "").strip().lower()
    return next((model for model in contract_models() if model._meta.label_lower == normalized), None)


def domain_app_labels():
    """The apps that hold contract models: the ones editors curate."""
    return tuple(dict.fromkeys(model._meta.app_label for model in contract_models()))
