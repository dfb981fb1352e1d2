"""Template helpers of the editors' admin."""

from django import template

from apps.explore.editors_home import waiting_work as waiting

register = template.Library()


@register.simple_tag
def waiting_work(user):
    """The work waiting for ``user``, by group: ``[(group, [Waiting, ...])]``."""
    groups = {}
    for item in waiting(user):
        groups.setdefault(item.group, []).append(item)
    return list(groups.items())
