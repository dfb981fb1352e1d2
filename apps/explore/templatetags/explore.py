"""Template helpers of the public pages."""

from urllib.parse import urlsplit

from django import template
from django.urls import reverse
from django.utils.html import format_html

from apps.explore.pages import FINDING_NAMES, resolution_slug

register = template.Library()


@register.filter
def resolution_url(resolution):
    """The address of a resolution's page (``/resolutions/1718/``, ``/resolutions/S-2022-431/``)."""
    return reverse("explore:resolution", args=[resolution_slug(resolution)])


@register.filter
def source_link(url, text=None):
    """A link to a source, or its text alone when its address is a placeholder that leads
    nowhere: a host under ``.invalid``, the name RFC 6761 reserves for addresses that never
    resolve (the demo data's example article, which gives no address of its own)."""
    text = text or url
    host = (urlsplit(url or "").hostname or "").rstrip(".")
    if not url or host == "invalid" or host.endswith(".invalid"):
        return text
    return format_html('<a href="{}" rel="external">{}</a>', url, text)


@register.filter
def finding_name(kind):
    """A finding's kind as the pages name it (``breach`` → "Breach")."""
    return FINDING_NAMES.get(kind, kind.replace("_", " "))
