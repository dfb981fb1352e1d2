"""The public pages: server-rendered, readable without JavaScript, published records only.

Each view asks ``apps.explore.pages`` for what its page shows and renders a template of
``templates/explore/``; the pictures are drawn on the server as SVG (``apps.explore.pictures``).
Pages are the same for every reader, so they carry ``Cache-Control: public``.
"""

import functools
from urllib.parse import urlencode

from django import forms
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from apps.actors.models import Actor
from apps.common.cache import cached_answer
from apps.common.paging import EstimatingPaginator
from apps.explore import embargoes, pages, pictures
from apps.explore.graph import graph_parts, graph_reads
from apps.geo.models import Country
from apps.resolutions.models import Resolution
from apps.sanctions.choices import TransferCategory, category_and_descendants
from apps.sanctions.models import Regime
from apps.transfers.choices import TransferStatus

PER_PAGE = 50
# Pages change with the data only; browsers and proxies may keep them for a minute.
public_page = cache_control(public=True, max_age=60)


def page_view(view=None, *, reads=(), reads_many=()):
    """A public page: GET and HEAD only, cacheable by anyone, and rendered once per address
    until the next write. Every reader gets the same page (published records only, nothing
    of the reader's own on it), so the rendered page is kept in the answer cache
    (``apps.common.cache``) by host, path, day and the query parameters the page reads; a 404
    is not kept.

    Each view declares the query parameters it reads: ``reads`` one value each (the last one
    given, as ``request.GET.get`` reads it), ``reads_many`` a set of values (``getlist``;
    their order and repeats do not change the page). Any other parameter (``?utm_source=…``,
    a cache-buster) is ignored: the request is served the page of its canonical address (the
    parameters read, in alphabetical order, ``canonical_query``) from the one copy kept of it,
    not redirected, so that a shared link with a tracking parameter, or a form whose fields
    come in their own order, costs no second request. The view sees only the canonical
    parameters (``request.GET``), so nothing of the others reaches the copy every reader gets."""
    if view is None:
        return functools.partial(page_view, reads=reads, reads_many=reads_many)

    @functools.wraps(view)
    def cached(request, *args, **kwargs):
        request.GET = canonical_query(request.GET, reads=reads, reads_many=reads_many)

        def render_page():
            response = view(request, *args, **kwargs)
            return response.status_code, response["Content-Type"], response.content

        # The day is part of the key: what is ongoing runs to today.
        key = [request.get_host(), request.path, request.GET.urlencode(), timezone.localdate()]
        status, content_type, body = cached_answer("page", key, render_page)
        return HttpResponse(body, status=status, content_type=content_type)

    return require_safe(public_page(cached))


def canonical_query(query, *, reads=(), reads_many=()):
    """``query`` (a ``QueryDict``) with only the parameters named in ``reads`` (their last
    value) and ``reads_many`` (each value once, sorted), in alphabetical order."""
    pairs = []
    for name in sorted({*reads, *reads_many}):
        values = query.getlist(name)
        if values:
            chosen = sorted(set(values)) if name in reads_many else values[-1:]
            pairs.extend((name, value) for value in chosen)
    return QueryDict(urlencode(pairs))


def _page_of(request, queryset):
    try:
        return EstimatingPaginator(queryset, PER_PAGE).page(request.GET.get("page", 1))
    except (EmptyPage, PageNotAnInteger) as error:
        raise Http404(str(error)) from error


def _get(queryset, **lookup):
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError) as error:
        raise Http404 from error


@page_view
def home(request):
    return render(request, "explore/home.html", pages.home_page())


@page_view
def country(request, iso2):
    country = _get(Country.objects.all(), iso2=iso2.upper())
    context = pages.country_page(country)
    context["timeline_picture"] = pictures.timeline(context["timeline"], timezone.localdate())
    context["api"] = reverse("api:country-profile", args=[country.iso2])
    return render(request, "explore/country.html", context)


@page_view
def transfer(request, reference):
    transfer = _get(
        pages.public_transfers().select_related("supplier", "recipient", "supplier_actor", "recipient_actor"),
        reference=reference,
    )
    context = pages.transfer_page(transfer)
    context["api"] = reverse("api:transfer-detail", args=[transfer.reference])
    return render(request, "explore/transfer.html", context)


class TransferListForm(forms.Form):
    """The filters of the transfer list (the network's edges link here)."""

    country = forms.CharField(required=False, max_length=2, help_text="Supplier or recipient (ISO code)")
    supplier = forms.CharField(required=False, max_length=2)
    recipient = forms.CharField(required=False, max_length=2)
    category = forms.ChoiceField(required=False, choices=[("", "any"), *TransferCategory.choices])
    status = forms.ChoiceField(required=False, choices=[("", "any"), *TransferStatus.choices])


@page_view(reads=(*TransferListForm.base_fields, "page"))
def transfer_list(request):
    form = TransferListForm(request.GET)
    transfers = pages.public_transfers().order_by("-started_on", "reference")
    if form.is_valid():
        data = form.cleaned_data
        # Countries by id (the planner then uses the (supplier|recipient, -started_on) indexes).
        ids = dict(
            Country.objects.filter(
                iso2__in=[data[f].upper() for f in ("country", "supplier", "recipient") if data[f]]
            ).values_list("iso2", "pk")
        )
        for name in ("country", "supplier", "recipient"):
            if data[name]:
                pk = ids.get(data[name].upper())
                if name == "country":
                    transfers = transfers.filter(supplier_id=pk) | transfers.filter(recipient_id=pk)
                else:
                    transfers = transfers.filter(**{f"{name}_id": pk})
        if data["category"]:
            transfers = transfers.filter(category__in=category_and_descendants(data["category"]))
        if data["status"]:
            transfers = transfers.filter(status=data["status"])
    else:
        transfers = transfers.none()
    page = _page_of(request, transfers.select_related("supplier", "recipient"))
    page.object_list = pages.with_claim_counts(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "explore/transfer_list.html",
        {"form": form, "page": page, "query": query.urlencode(), "api": reverse("api:transfer-list")},
    )


@page_view
def resolution(request, slug):
    try:
        resolution = pages.resolution_by_slug(slug)
    except Resolution.DoesNotExist as error:
        raise Http404 from error
    context = pages.resolution_page(resolution)
    context["api"] = reverse("api:resolution-detail", args=[resolution.pk])
    return render(request, "explore/resolution.html", context)


@page_view(reads=("page",))
def regime(request, code):
    regime = _get(Regime.objects.select_related("authority", "target_country"), code=code)
    designations = _page_of(request, regime.designations.select_related("actor").order_by("listed_on", "reference"))
    context = pages.regime_page(regime, designations)
    context["api"] = reverse("api:regime-detail", args=[regime.code])
    context["embargo"] = embargoes.embargo_of(regime, today=timezone.localdate())
    if context["embargo"]:
        context["embargo_picture"] = pictures.embargo_grid(context["embargo"]["rows"], context["embargo"]["years"])
    return render(request, "explore/regime.html", context)


@page_view
def embargo_list(request):
    return render(request, "explore/embargoes.html", {"embargoes": embargoes.embargo_list(today=timezone.localdate())})


@page_view
def actor(request, slug):
    actor = _get(Actor.objects.select_related("country"), slug=slug)
    context = pages.actor_page(actor)
    context["api"] = reverse("api:actor-detail", args=[actor.slug])
    return render(request, "explore/actor.html", context)


@page_view(reads=("q",))
def search(request):
    text = request.GET.get("q", "").strip()[:200].replace("\x00", "")
    results = pages.search_page(text) if text else None
    return render(request, "explore/search.html", {"q": text, "results": results})


class NetworkForm(forms.Form):
    """The network's filters: a period and transfer categories (a parent takes its leaves)."""

    start = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))
    category = forms.MultipleChoiceField(
        required=False, choices=TransferCategory.choices, widget=forms.SelectMultiple(attrs={"size": 8})
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "The end of the period is before its start.")
        return data


@page_view(reads=("start", "end"), reads_many=("category",))
def network(request):
    form = NetworkForm(request.GET)
    start = end = None
    chosen = []
    if form.is_valid():
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
        chosen = form.cleaned_data["category"]
    categories = sorted({leaf for c in chosen for leaf in category_and_descendants(c)})
    # Kept until a table it is made of is written, as the graph's API answer is: a new claim or
    # source leaves the pairs as they were, and only the picture is drawn again.
    graph = cached_answer(
        "network-pairs",
        [start, end, categories, timezone.localdate()],
        lambda: graph_parts(start=start, end=end, categories=categories, user=pages.PUBLIC, by_pair=True),
        reads=graph_reads(start, end),
    )
    picture = pictures.network(graph, start=start, end=end, categories=chosen)
    return render(request, "explore/network.html", {"form": form, "picture": picture, "api": reverse("api:graph")})


@page_view
def robots(request):
    """Crawlers may read the public pages (the sitemap lists them), not the admin or the API."""
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /api/",
        f"Sitemap: {request.build_absolute_uri(reverse('explore:sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
