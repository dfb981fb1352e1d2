"""Bad input is a 400 naming the parameter (or a 404 for a record or page that does not exist),
never a 500.

Before, ``?page=99999999999999999999`` made the database fail on the row offset (SQLite:
datatype mismatch; PostgreSQL: bigint out of range), ``?active_after=9999-12-31`` and the
graph's ``?from=9999-12-31`` ran past the calendar's last day (OverflowError), a cursor whose
position the ordering field cannot hold reached the database (ValueError), and a JSON body
nested some thousand levels deep ran Python's decoder out of stack (RecursionError). A page
number that is not one (``0``, ``-1``, ``abc``) and a page size that is not one were a 404 and
the default size.

The last test walks every list and question of the API (from its schema, which is made from
the URL conf, the filtersets and the views), every public page (from the public URL conf, its
forms and its sitemaps) and every record address, sending hostile values to each parameter.
"""

import base64
import datetime
import json
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, get_resolver, resolve, reverse
from drf_spectacular.generators import SchemaGenerator

from apps.actors.models import Actor
from apps.common.api.pagination import INVALID_CURSOR, PageNumberOrCursorPagination
from apps.common.api.views import BaseViewSet, api_routes
from apps.common.nesting import DEPTH_MESSAGE, MAX_DEPTH
from apps.common.paging import last_page_number, page_number_message
from apps.common.periods import Period, transfer_span
from apps.explore import urls as public_urls
from apps.explore import views as public_views
from apps.explore.sitemaps import SITEMAPS
from apps.transfers.models import Transfer
from tests.api.test_nul import NEW_ACTOR

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"  # past a signed 64-bit integer
PAGING = PageNumberOrCursorPagination


@pytest.fixture
def demo(demo_data_module):
    """The demo data, loaded once for the module and rolled back afterwards."""


def api_paths():
    """``{URL name: address}`` of every list and question of the API, from its URL conf (as
    its root lists them)."""
    patterns = get_resolver().namespace_dict["api"][1].url_patterns
    return {f"api:{url_name}": reverse(f"api:{url_name}") for _, url_name in api_routes(patterns)}


def resource_lists():
    """The address of every resource list (the lists that page)."""
    return [
        path for path in api_paths().values() if issubclass(getattr(resolve(path).func, "cls", object), BaseViewSet)
    ]


def cursor(position, offset=0, reverse=False):
    """A cursor as DRF writes one, at ``position``."""
    text = urlencode({"o": offset, "r": int(reverse), "p": position})
    return base64.b64encode(text.encode()).decode()


# --- page, page size, cursor -----------------------------------------------------------------


@pytest.mark.parametrize("path", resource_lists())
@pytest.mark.parametrize("page", [HUGE, str(last_page_number(settings.API_PAGE_SIZE) + 1), "0", "-1", "abc", "1.5"])
def test_a_page_that_is_no_page_number_is_a_400_naming_page(demo, anonymous, path, page):
    response = anonymous.get(path, {"page": page})
    assert response.status_code == 400, response.content
    assert response.json() == {"page": [page_number_message(settings.API_PAGE_SIZE)]}


@pytest.mark.parametrize("path", resource_lists())
def test_page_numbers_run_to_the_last_page_a_database_can_read(demo, anonymous, path):
    """Up to it, a page past the end is a 404 as any other; one more is no page number."""
    for size in [settings.API_PAGE_SIZE, 1, settings.API_MAX_PAGE_SIZE]:
        last = last_page_number(size)
        assert anonymous.get(path, {"page": str(last), "page_size": str(size)}).status_code == 404
        assert anonymous.get(path, {"page": str(last + 1), "page_size": str(size)}).status_code == 400
    assert anonymous.get(path, {"page": "last"}).status_code == 200


@pytest.mark.parametrize("path", resource_lists())
def test_a_page_size_that_is_no_whole_number_from_1_is_a_400_naming_page_size(demo, anonymous, path):
    for size in ["0", "-1", "abc", "1.5", "\x00", "x" * 5000]:
        response = anonymous.get(path, {"page_size": size})
        assert response.status_code == 400, (size, response.content)
        assert list(response.json()) == ["page_size"]
    # A larger size than the API gives is the most it gives, as before.
    for size in [HUGE, str(settings.API_MAX_PAGE_SIZE + 1)]:
        response = anonymous.get(path, {"page_size": size, "pagination": "cursor"})
        assert response.status_code == 200, response.content


@pytest.mark.parametrize("path", resource_lists())
def test_a_cursor_this_api_did_not_write_is_a_400_naming_cursor(demo, anonymous, path):
    for value in ["not-a-cursor", cursor("abc"), cursor("1.5"), cursor("9999-12-31"), cursor("a\x00")]:
        response = anonymous.get(path, {"cursor": value})
        assert response.status_code == 400, (value, response.content)
        assert response.json() == {"cursor": [INVALID_CURSOR]}
    # A position past any id is a well-formed cursor: an empty page.
    response = anonymous.get(path, {"cursor": cursor(HUGE)})
    assert (response.status_code, response.json()["results"]) == (200, [])


def test_a_cursor_is_read_as_the_ordering_field_holds_its_values(demo, anonymous):
    first = anonymous.get("/api/v1/transfers/", {"pagination": "cursor", "ordering": "started_on", "page_size": 2})
    assert first.status_code == 200
    assert anonymous.get(first.json()["next"]).status_code == 200
    for position in ["abc", "2024-13-45", "0001-01-01T00:00:00+14:00"]:
        response = anonymous.get("/api/v1/transfers/", {"ordering": "started_on", "cursor": cursor(position)})
        assert response.status_code == 400, (position, response.content)
    for position in ["9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+14:00"]:
        response = anonymous.get("/api/v1/transfers/", {"ordering": "-created_at", "cursor": cursor(position)})
        assert response.status_code in (200, 400), (position, response.content)


# --- dates at the ends of the calendar --------------------------------------------------------


@pytest.mark.parametrize("parameter", ["active_after", "active_before"])
@pytest.mark.parametrize("day", [datetime.date.max, datetime.date(9999, 12, 15), datetime.date.min])
def test_the_active_filters_answer_for_the_first_and_last_days_of_the_calendar(demo, anonymous, parameter, day):
    response = anonymous.get("/api/v1/transfers/", {parameter: day.isoformat(), "page_size": 500})
    assert response.status_code == 200, response.content
    asked = Period(day, None) if parameter == "active_after" else Period(None, day)
    today = datetime.date.today()
    expected = {t.reference for t in Transfer.objects.visible_to(None) if transfer_span(t, today=today).overlaps(asked)}
    assert {t["reference"] for t in response.json()["results"]} == expected


@pytest.mark.parametrize("parameter", ["from", "to"])
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_the_graph_answers_for_the_first_and_last_days_of_the_calendar(demo, anonymous, parameter, day):
    response = anonymous.get("/api/v1/graph/", {parameter: day})
    assert response.status_code == 200, response.content
    assert set(response.json()) == {"nodes", "edges"}


# --- a body nested too deep -------------------------------------------------------------------


def nested(depth):
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [100_000, 900])
def test_identifiers_nested_too_deep_are_refused_naming_the_field(demo, editor_client, depth):
    body = json.dumps({**NEW_ACTOR, "identifiers": {"un_ref": "KPe.999"}}).replace('"KPe.999"', nested(depth))
    response = editor_client.post("/api/v1/actors/", body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json() == {"identifiers": [DEPTH_MESSAGE]}
    assert not Actor.objects.filter(slug=NEW_ACTOR["slug"]).exists()


def test_identifiers_are_written_as_deep_as_allowed_and_refused_one_level_deeper(demo, editor_client):
    too_deep = {"un_ref": json.loads(nested(MAX_DEPTH))}
    response = editor_client.post("/api/v1/actors/", {**NEW_ACTOR, "identifiers": too_deep}, format="json")
    assert (response.status_code, response.json()) == (400, {"identifiers": [DEPTH_MESSAGE]})
    identifiers = {"un_ref": json.loads(nested(MAX_DEPTH - 1))}
    response = editor_client.post("/api/v1/actors/", {**NEW_ACTOR, "identifiers": identifiers}, format="json")
    assert response.status_code == 201, response.content
    assert Actor.objects.get(slug=NEW_ACTOR["slug"]).identifiers == identifiers


def test_a_body_too_deep_that_is_no_json_is_a_parse_error(demo, editor_client):
    response = editor_client.post("/api/v1/actors/", "[" * 100_000, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")


# --- the walk: every parameter of every list and page, hostile values --------------------------

DATES = [
    "9999-12-31",
    "0001-01-01",
    "10000-01-01",
    "0000-00-00",
    "2024-02-30",
    "2024-13-45",
    "9999-12-31T23:59:59+23:59",
]
NUMBERS = [HUGE, "-" + HUGE, "-1", "0", "1e400", "NaN", "-0.5"]
TEXT = ["\x00", "a\x00b", "KP|\x00", "x" * 10_000, "%", "[" * 200, "None"]
HOSTILE = [*NUMBERS, *DATES, *TEXT]
# Positions a cursor may hold, sent as cursors besides the hostile values themselves, and with
# each field a list may be ordered by.
POSITIONS = [HUGE, "-1", "1.5", "9999-12-31", "0001-01-01T00:00:00+14:00", "abc", "None", ""]
# The keys of a 400 that name no parameter.
GENERAL = {"detail", "non_field_errors"}
PLACEHOLDER = "987654321"  # a key every address pattern takes, ids included


def api_walk():
    """``(URL name, parameter, "query")`` for every query parameter of every GET list and
    question of the API, as its schema documents them (made from the filtersets, the paginator,
    the ordering and the views), the filters of each filterset besides; ``(URL name, parameter,
    "path")`` for the key in every record's address."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    cases = []
    for template, operations in schema["paths"].items():
        operation = operations.get("get")
        if operation is None:
            continue
        parameters = operation.get("parameters", [])
        keys = [p["name"] for p in parameters if p["in"] == "path"]
        match = resolve(template.format(**dict.fromkeys(keys, PLACEHOLDER)))
        name = f"{match.namespace}:{match.url_name}"
        if keys:
            cases += [(name, key, "path") for key in match.kwargs]
            continue
        names = {p["name"] for p in parameters if p["in"] == "query"}
        filterset = getattr(getattr(match.func, "cls", None), "filterset_class", None)
        names |= set(filterset.base_filters if filterset else ())
        cases += [(name, parameter, "query") for parameter in sorted(names)]
    return cases


def public_walk():
    """``(URL name, parameter, "query")`` for every public page and every parameter its forms
    or its paging read; ``(URL name, parameter, "path")`` for the key in every address that
    has one (a record's page, a sitemap's section)."""
    forms = [obj for obj in vars(public_views).values() if isinstance(obj, type) and hasattr(obj, "base_fields")]
    # Read straight from request.GET: the page of a list (``_page_of``) and the search text.
    parameters = sorted({name for form in forms for name in form.base_fields} | {"page", "q"})
    cases = []
    for pattern in public_urls.urlpatterns:
        name = f"{public_urls.app_name}:{pattern.name}"
        cases += [(name, key, "path") for key in pattern.pattern.regex.groupindex]
        cases += [(name, parameter, "query") for parameter in parameters]
    return cases


def real_address(name):
    """An address of the page ``name`` that exists in the demo data: the page itself, a
    record's page from the sitemaps, or a sitemap's first section."""
    try:
        return reverse(name)
    except NoReverseMatch:
        pass
    for key, sitemap in SITEMAPS.items():
        if name == "explore:sitemap-section":
            return reverse(name, kwargs={"section": key})
        for item in sitemap().items()[:1]:
            location = sitemap().location(item)
            if f"{resolve(location).namespace}:{resolve(location).url_name}" == name:
                return location
    raise AssertionError(f"no record in the demo data has a page {name}")


def requests_for(name, parameter, kind):
    """``(address, query)`` of every hostile request for ``parameter`` of the page ``name``."""
    if kind == "path":
        template = reverse(name, kwargs={parameter: PLACEHOLDER})
        return [(template.replace(PLACEHOLDER, quote(value, safe="")), {}) for value in [*HOSTILE, " "]]
    address = real_address(name)
    queries = [{parameter: value} for value in HOSTILE]
    if parameter == PAGING.cursor_query_param:
        queries += [{parameter: cursor(position)} for position in POSITIONS]
    view = getattr(resolve(address).func, "cls", None)
    if parameter == "ordering" and view is not None:
        fields = [field for field in getattr(view, "ordering_fields", None) or ()]
        queries += [{"ordering": f, PAGING.cursor_query_param: cursor(p)} for f in fields for p in POSITIONS]
    return [(address, query) for query in queries]


WALK = [*api_walk(), *public_walk()]
# The walk reaches every list and page and the parameters this file began with (a walk that
# found nothing would pass).
assert {*api_paths(), *(f"explore:{p.name}" for p in public_urls.urlpatterns)} <= {n for n, _, _ in WALK}
assert {
    ("api:transfer-list", "active_after", "query"),
    ("api:graph", "from", "query"),
    ("api:changes", "limit", "query"),
    ("explore:network", "start", "query"),
    ("explore:regime", "page", "query"),
    ("explore:country", "iso2", "path"),
} <= set(WALK)


@pytest.mark.parametrize(("name", "parameter", "kind"), WALK, ids=[f"{n}-{k}-{p}" for n, p, k in WALK])
def test_no_hostile_value_of_any_parameter_of_any_list_or_page_is_a_server_error(
    demo, anonymous, name, parameter, kind
):
    """Huge and negative numbers, the calendar's first and last days and days it has not,
    NUL characters, very long and bracketed text: each is answered (a 400 on the API names the
    parameter), none is a 500."""
    failures = []
    for address, query in requests_for(name, parameter, kind):
        shown = repr(query or address)[:80]
        try:
            with transaction.atomic():  # a database error must not end the walk on PostgreSQL
                response = anonymous.get(address, query)
        except Exception as error:  # the test client raises what a view raised: a 500
            failures.append((shown, f"{type(error).__name__}: {error}"[:200]))
            continue
        if response.status_code >= 500:
            failures.append((shown, response.status_code))
        elif response.status_code == 400 and address.startswith("/api/") and not set(response.json()) - GENERAL:
            failures.append((shown, f"a 400 naming no parameter: {response.json()}"))
    assert failures == []
