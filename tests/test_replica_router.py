"""Reads to replicas, writes and what follows them to the primary (apps/common/routing.py).

The replica is ``replica_1``, a test mirror of ``default`` (``TEST = {"MIRROR": "default"}``),
as settings.py makes it from ``DATABASE_REPLICA_URLS``; when the test process was started
without that variable the module fixture adds the alias itself. A mirror is a connection of
its own to the same database, so the tests are transactional (committed data, visible to
both) and look at which connection ran each query.
"""

import copy
import json
import os
import subprocess
import sys
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.http import JsonResponse
from django.test.utils import CaptureQueriesContext
from django.urls import include, path
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from apps.common import routing
from apps.common.roles import REVIEWERS
from apps.evidence.models import Source

ROOT = Path(__file__).resolve().parent.parent
REPLICA = "replica_1"
ROUTER = "apps.common.routing.PrimaryReplicaRouter"
MIDDLEWARE = "apps.common.routing.PrimaryReplicaMiddleware"

routed_db = pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=[DEFAULT_DB_ALIAS, REPLICA])


# --- the replica alias and the routed settings ---------------------------------------------


@pytest.fixture(scope="module")
def replica_alias(django_db_setup):
    """``replica_1`` mirroring the test database of ``default``, as ``setup_databases`` makes
    it when settings.py has the alias; removed afterwards if this module added it."""
    added = REPLICA not in connections.settings
    if added:
        alias_settings = copy.deepcopy(connections[DEFAULT_DB_ALIAS].settings_dict)
        alias_settings["TEST"] = {**alias_settings["TEST"], "MIRROR": DEFAULT_DB_ALIAS}
        connections.settings[REPLICA] = alias_settings
        django_settings.DATABASES[REPLICA] = alias_settings
    yield
    if added:
        connections[REPLICA].close()
        del connections[REPLICA]
        connections.settings.pop(REPLICA, None)
        django_settings.DATABASES.pop(REPLICA, None)


@pytest.fixture
def routed(replica_alias, settings):
    """The settings settings.py gives when DATABASE_REPLICA_URLS is set, no throttling."""
    settings.DATABASE_ROUTERS = [ROUTER]
    settings.MIDDLEWARE = [MIDDLEWARE, *(name for name in settings.MIDDLEWARE if name != MIDDLEWARE)]
    settings.API_THROTTLE_RATES = {"anon": None, "user": None, "failed_auth": None}
    cache.clear()
    yield
    cache.clear()


@contextmanager
def queries():
    """The SQL each connection ran inside the block: ``{"default": [...], "replica_1": [...]}``."""
    with ExitStack() as stack:
        captured = {
            alias: stack.enter_context(CaptureQueriesContext(connections[alias]))
            for alias in (DEFAULT_DB_ALIAS, REPLICA)
        }
        result = {}
        yield result
    result.update({alias: [query["sql"] for query in capture.captured_queries] for alias, capture in captured.items()})


def touching(sqls, table):
    return [sql for sql in sqls if table in sql]


def published_source(slug):
    """A source committed on the primary, and its detail URL in the API."""
    source = Source.objects.create(url=f"https://replica.example.org/{slug}", title=slug)
    return source, f"/api/v1/sources/{source.pk}/"


def token_client(username):
    user = User.objects.create_user(username, password="unused-password-1234")
    user.groups.add(Group.objects.get(name=REVIEWERS))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


# --- a view that reads, writes, then reads again in one GET (ROOT_URLCONF of one test) -------

PHASES = {}


def read_write_read(request):
    with queries() as before:
        list(Source.objects.values_list("url", flat=True))
    with queries() as write:
        Source.objects.create(url="https://replica.example.org/written-in-a-get", title="written in a GET")
    with queries() as after:
        urls = list(Source.objects.values_list("url", flat=True))
    PHASES.update(before=before, write=write, after=after)
    return JsonResponse({"urls": urls})


urlpatterns = [path("read-write-read/", read_write_read), path("", include("sanctionsdb.urls"))]


# --- through the API -----------------------------------------------------------------------


@routed_db
def test_a_get_reads_a_replica_and_nothing_on_the_primary(routed):
    _, detail = published_source("one")
    with queries() as ran:
        response = APIClient().get(detail)
    assert response.status_code == 200
    assert response.json()["title"] == "one"
    assert touching(ran[REPLICA], "evidence_source")
    assert ran[DEFAULT_DB_ALIAS] == []


@routed_db
def test_a_post_and_a_patch_go_to_the_primary_from_their_first_query(routed):
    client = token_client("poster")
    with queries() as ran:
        response = client.post("/api/v1/sources/", {"url": "https://replica.example.org/p", "title": "posted"})
    assert response.status_code == 201, response.content
    assert ran[REPLICA] == []
    assert any(sql.startswith("INSERT") for sql in touching(ran[DEFAULT_DB_ALIAS], "evidence_source"))
    detail = f"/api/v1/sources/{response.json()['id']}/"

    cache.clear()  # forget the client's recent write: the PATCH alone must be on the primary
    with queries() as ran:
        response = client.patch(detail, {"title": "patched"}, HTTP_IF_MATCH="*")
    assert response.status_code == 200, response.content
    assert ran[REPLICA] == []
    assert any(sql.startswith("UPDATE") for sql in touching(ran[DEFAULT_DB_ALIAS], "evidence_source"))
    assert Source.objects.get(url="https://replica.example.org/p").title == "patched"


@routed_db
@pytest.mark.urls(__name__)
def test_a_read_after_a_write_in_the_same_request_reads_the_primary(routed):
    response = APIClient().get("/read-write-read/")
    assert response.status_code == 200
    assert "https://replica.example.org/written-in-a-get" in response.json()["urls"]
    before, write, after = PHASES["before"], PHASES["write"], PHASES["after"]
    assert touching(before[REPLICA], "evidence_source") and before[DEFAULT_DB_ALIAS] == []
    assert write[REPLICA] == [] and touching(write[DEFAULT_DB_ALIAS], "INSERT")
    assert after[REPLICA] == [] and touching(after[DEFAULT_DB_ALIAS], "evidence_source")


@routed_db
@pytest.mark.urls(__name__)
def test_the_pin_does_not_leak_into_the_next_request(routed):
    _, detail = published_source("next")
    APIClient().get("/read-write-read/")
    assert routing.current_routing() is None
    router = routing.PrimaryReplicaRouter()
    # Outside a request (commands, the shell) reads go to the primary.
    assert router.db_for_read(Source) == DEFAULT_DB_ALIAS
    # In a request that may read a replica, a transaction on the primary reads the primary.
    token = routing._routing.set(routing.RequestRouting(pinned=False))
    try:
        with transaction.atomic():
            assert router.db_for_read(Source) == DEFAULT_DB_ALIAS
        assert router.db_for_read(Source) == REPLICA
    finally:
        routing._routing.reset(token)
    with queries() as ran:
        response = APIClient().get(detail)
    assert response.status_code == 200
    assert touching(ran[REPLICA], "evidence_source") and ran[DEFAULT_DB_ALIAS] == []


@routed_db
def test_an_api_client_reads_its_own_write_in_its_next_request(routed):
    writer, other = token_client("writer"), token_client("other")
    _, existing = published_source("existing")
    with queries() as ran:
        assert writer.get(existing).status_code == 200
    assert ran[DEFAULT_DB_ALIAS] == [], "before writing, the writer reads a replica"
    response = writer.post("/api/v1/sources/", {"url": "https://replica.example.org/w", "title": "w"})
    assert response.status_code == 201
    created = f"/api/v1/sources/{response.json()['id']}/"
    with queries() as ran:
        response = writer.get(created)
    assert response.json()["title"] == "w"
    assert ran[REPLICA] == [] and touching(ran[DEFAULT_DB_ALIAS], "evidence_source")
    with queries() as ran:
        assert other.get(created).status_code == 200
    assert ran[DEFAULT_DB_ALIAS] == [], "another client is not pinned by the writer"
    cache.clear()  # the pin's time is over
    with queries() as ran:
        assert writer.get(created).status_code == 200
    assert ran[DEFAULT_DB_ALIAS] == []


@routed_db
def test_a_signed_in_session_reads_the_primary(routed):
    editor = User.objects.create_user("editor", password="unused-password-1234", is_staff=True)
    client = APIClient()
    client.force_login(editor)
    _, detail = published_source("seen-by-an-editor")
    with queries() as ran:
        assert client.get(detail).status_code == 200
    assert ran[REPLICA] == []
    assert touching(ran[DEFAULT_DB_ALIAS], "evidence_source")


@routed_db
def test_without_replicas_everything_goes_to_the_primary(routed, monkeypatch):
    _, detail = published_source("only-the-primary")
    with queries() as ran:
        monkeypatch.delitem(django_settings.DATABASES, REPLICA)
        response = APIClient().get(detail)
        monkeypatch.undo()
    assert response.status_code == 200
    assert ran[REPLICA] == []
    assert touching(ran[DEFAULT_DB_ALIAS], "evidence_source")


# --- settings.py ---------------------------------------------------------------------------


def settings_with(**variables):
    """The database settings settings.py gives with these environment variables."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("DATABASE_")}
    env.update(variables, DJANGO_SETTINGS_MODULE="sanctionsdb.settings")
    script = (
        "import json\n"
        "from django.conf import settings\n"
        "print(json.dumps({'DATABASES': settings.DATABASES, 'ROUTERS': settings.DATABASE_ROUTERS,"
        " 'MIDDLEWARE': settings.MIDDLEWARE}, default=str))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)


def test_without_database_replica_urls_there_is_no_router_and_no_replica():
    configured = settings_with(DATABASE_URL="postgres://app@primary.internal:5432/sanctionsdb")
    assert list(configured["DATABASES"]) == [DEFAULT_DB_ALIAS]
    assert configured["ROUTERS"] == []
    assert MIDDLEWARE not in configured["MIDDLEWARE"]


def test_each_replica_url_becomes_an_alias_with_the_primarys_options():
    configured = settings_with(
        DATABASE_URL="postgres://app@primary.internal:5432/sanctionsdb",
        DATABASE_REPLICA_URLS="postgres://reader@replica-a.internal:5432/sanctionsdb, postgres://reader@replica-b.internal:5432/sanctionsdb",
        CONN_MAX_AGE="30",
    )
    databases = configured["DATABASES"]
    assert list(databases) == [DEFAULT_DB_ALIAS, "replica_1", "replica_2"]
    for alias, host in (("replica_1", "replica-a.internal"), ("replica_2", "replica-b.internal")):
        assert databases[alias]["HOST"] == host
        assert databases[alias]["USER"] == "reader"
        assert databases[alias]["ENGINE"] == "django.db.backends.postgresql"
        assert databases[alias]["CONN_MAX_AGE"] == 30
        assert databases[alias]["CONN_HEALTH_CHECKS"] is True
        assert databases[alias]["TEST"] == {"MIRROR": DEFAULT_DB_ALIAS}
    assert configured["ROUTERS"] == [ROUTER]
    assert configured["MIDDLEWARE"][0] == MIDDLEWARE
