"""Template helpers of the public pages."""

from django import template
from django.urls import reverse

from apps.explore.pages import resolution_slug

register = template.Library()


@register.filter
def resolution_url(resolution):
    """The address of a resolution's page (``/resolutions/1718/``, ``/resolutions/S-2022-431/``)."""
    return reverse("explore:resolution", args=[resolution_slug(resolution)])
