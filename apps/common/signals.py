"""Bookkeeping that must happen on every save, raw ones (``loaddata``) included.

``loaddata`` bypasses ``Model.save()`` and field ``pre_save`` hooks, but it does send the
``pre_save`` signal, so the timestamps, the edit version and trimming live here.
"""

from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils import timezone

from apps.common.meta import BOOKKEEPING
from apps.common.models import TrackedModel


def _stored_row(instance):
    if instance.pk is None:
        return None
    names = [f.attname for f in instance._meta.concrete_fields]
    return (
        type(instance)
        ._base_manager.using(instance._state.db or "default")
        .filter(pk=instance.pk)
        .values(*names)
        .first()
    )


def _content_changed(instance, stored):
    for field in instance._meta.concrete_fields:
        if field.name in BOOKKEEPING or field.primary_key:
            continue
        if field.to_python(getattr(instance, field.attname)) != stored[field.attname]:
            return True
    return False


@receiver(pre_save)
def fill_bookkeeping(sender, instance, raw=False, **kwargs):
    if not isinstance(instance, TrackedModel):
        return
    for name in instance.TRIMMED_FIELDS:
        value = getattr(instance, name)
        if isinstance(value, str):
            setattr(instance, name, value.strip())
    normalize = getattr(instance, "normalize_fields", None)
    if normalize:
        normalize()
    now = timezone.now()
    if not raw:
        # Ordinary saves (admin, API, services): the row is being changed on purpose.
        if instance.created_at is None:
            instance.created_at = now
        instance.updated_at = now
        if not instance._state.adding:
            instance.version = (instance.version or 0) + 1
        return
    # Raw saves from fixtures: keep the stored bookkeeping, and leave an unchanged row unchanged.
    stored = _stored_row(instance)
    if stored is None:
        instance.created_at = instance.created_at or now
        instance.updated_at = instance.updated_at or instance.created_at
        instance.version = instance.version or 1
        return
    instance.created_at = stored["created_at"]
    instance.created_by_id = instance.created_by_id or stored["created_by_id"]
    if _content_changed(instance, stored):
        instance.updated_at = now
        instance.version = stored["version"] + 1
    else:
        instance.updated_at = stored["updated_at"]
        instance.updated_by_id = stored["updated_by_id"]
        instance.version = stored["version"]
