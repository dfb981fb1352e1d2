"""Concurrent writes that deadlock or fail serialization are run again, or reported, never half
applied (``apps.common.conflicts``).

The first tests (both engines) hold the machinery to its word with the errors psycopg raises.
The others (PostgreSQL only) make a real deadlock: another writer, in a thread with its own
connection, locks a country, waits until the write under test (an API change, an admin save,
a data load) holds its transfer and waits for that country (the check of the transfer's new
supplier at commit), then asks for the transfer. PostgreSQL aborts one of the two: the write
under test, which has waited longest (the other writer's ``deadlock_timeout`` is raised to make
sure). Its transaction is rolled back whole; the API and the admin run it again and succeed,
or after the last attempt answer 503 with ``Retry-After``; a load reports it and writes nothing.
"""

import json
import threading
import time

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection, transaction
from psycopg import errors as pg_errors
from rest_framework.test import APIClient

from apps.common import conflicts
from apps.common.conflicts import WriteConflict, conflict_message, conflict_sqlstate, run_in_transaction
from apps.common.middleware import DatabaseUnavailableMiddleware
from apps.common.roles import EDITORS
from apps.evidence.models import Source
from apps.geo.models import Country
from apps.transfers.models import Transfer
from tests.admin.forms import admin_url, open_change_page
from tests.factories import TransferFactory

# transaction=True: the other writer's connection must see committed rows, and the write under
# test must be the outermost transaction to be run again. serialized_rollback puts the
# migrations' rows (countries, groups) back after the flush.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a real deadlock between two connections needs PostgreSQL's row locks"
)


def django_error(psycopg_error):
    """The error Django raises for ``psycopg_error``: an OperationalError with it as the cause."""
    try:
        raise OperationalError(str(psycopg_error)) from psycopg_error
    except OperationalError as error:
        return error


@pytest.fixture(autouse=True)
def _no_backoff(monkeypatch):
    monkeypatch.setattr(conflicts, "BACKOFF_SECONDS", 0.001)


# -- the machinery, on both engines ----------------------------------------------------------


def test_the_sqlstate_is_read_through_the_cause():
    assert conflict_sqlstate(django_error(pg_errors.DeadlockDetected("d"))) == "40P01"
    assert conflict_sqlstate(django_error(pg_errors.SerializationFailure("s"))) == "40001"
    assert conflict_sqlstate(django_error(pg_errors.LockNotAvailable("l"))) is None
    assert conflict_sqlstate(OperationalError("database is locked")) is None


@pytest.mark.parametrize("psycopg_error", [pg_errors.DeadlockDetected, pg_errors.SerializationFailure])
def test_a_clash_is_run_again_and_rolled_back_each_time(psycopg_error):
    runs = []

    def write():
        runs.append(Source.objects.create(url=f"https://retried.example.org/{len(runs)}"))
        if len(runs) < conflicts.ATTEMPTS:
            raise django_error(psycopg_error("clash"))
        return "written"

    assert run_in_transaction(write) == "written"
    assert len(runs) == conflicts.ATTEMPTS
    # The failed attempts left nothing: only the last one's row is there.
    assert list(Source.objects.values_list("url", flat=True)) == [f"https://retried.example.org/{len(runs) - 1}"]


def test_past_the_last_attempt_it_is_a_write_conflict_and_nothing_is_written():
    runs = []

    def write():
        runs.append(Source.objects.create(url=f"https://never.example.org/{len(runs)}"))
        raise django_error(pg_errors.DeadlockDetected("clash"))

    with pytest.raises(WriteConflict) as raised:
        run_in_transaction(write)
    assert len(runs) == conflicts.ATTEMPTS
    assert raised.value.sqlstate == "40P01" and raised.value.attempts == conflicts.ATTEMPTS
    assert not Source.objects.exists()


def test_another_database_error_is_not_run_again():
    runs = []

    def write():
        runs.append(1)
        raise django_error(pg_errors.LockNotAvailable("not a clash"))

    with pytest.raises(OperationalError):
        run_in_transaction(write)
    assert runs == [1]


def test_inside_a_callers_transaction_the_first_clash_is_a_write_conflict():
    runs = []

    def write():
        runs.append(1)
        raise django_error(pg_errors.SerializationFailure("clash"))

    with pytest.raises(WriteConflict), transaction.atomic():
        run_in_transaction(write)
    assert runs == [1]


@pytest.mark.parametrize(
    ("exception", "detail"),
    [
        (WriteConflict("40P01", 3), conflict_message("40P01", 3)),
        (django_error(pg_errors.SerializationFailure("s")), conflict_message("40001")),
    ],
    ids=["after the retries", "on a path without them"],
)
def test_a_clash_answers_503_with_retry_after_and_the_reason(rf, exception, detail):
    response = DatabaseUnavailableMiddleware(lambda request: None).process_exception(rf.post("/"), exception)
    assert response.status_code == 503
    assert response["Retry-After"] == str(conflicts.RETRY_AFTER_SECONDS)
    assert json.loads(response.content) == {"detail": detail}
    assert "SQLSTATE" in detail and "Send it again" in detail


# -- real deadlocks, on PostgreSQL -----------------------------------------------------------


class OtherWriter(threading.Thread):
    """Another writer: locks ``country`` at once, waits until a backend is blocked behind that
    lock, then asks for ``transfer``'s row, which that backend holds: a deadlock. Once it has
    the row it renames the country (its own write) and commits."""

    def __init__(self, country, transfer):
        super().__init__(daemon=True)
        self.country, self.transfer = country, transfer
        self.holding = threading.Event()
        self.error = None

    def run(self):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT current_setting('is_superuser')")
                if cursor.fetchone()[0] == "on":
                    # Let the write under test be the one PostgreSQL aborts.
                    cursor.execute("SET LOCAL deadlock_timeout = '20s'")
                list(Country.objects.select_for_update().filter(pk=self.country.pk))
                self.holding.set()
                deadline = time.monotonic() + 30
                while not self._someone_waits_for_me(cursor):
                    assert time.monotonic() < deadline, "the write under test never waited for the country"
                    time.sleep(0.01)
                list(Transfer.objects.select_for_update().filter(pk=self.transfer.pk))
                Country.objects.filter(pk=self.country.pk).update(name="Renamed by the other writer")
        except Exception as error:  # reported by join()
            self.error = error
        finally:
            self.holding.set()
            connection.close()

    @staticmethod
    def _someone_waits_for_me(cursor):
        # pg_locks and pg_blocking_pids are read live (pg_stat_activity would be a snapshot).
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE NOT granted AND pg_backend_pid() = ANY(pg_blocking_pids(pid))"
        )
        return cursor.fetchone()[0] > 0

    def __enter__(self):
        self.start()
        assert self.holding.wait(30)
        return self

    def __exit__(self, *exc_info):
        self.join(60)
        assert not self.is_alive(), "the other writer is still waiting"
        if self.error is not None and exc_info[0] is None:
            raise self.error


@pytest.fixture
def clash():
    """A transfer supplied by KP, and China, the supplier a write under test gives it."""
    transfer = TransferFactory(reference="clash")
    china = Country.objects.get(iso2="CN")
    return transfer, china


def state(transfer):
    row = Transfer.objects.filter(pk=transfer.pk).values("supplier__iso2", "version").get()
    return row["supplier__iso2"], row["version"], transfer.history.count()


def assert_other_writer_committed(china):
    assert Country.objects.get(pk=china.pk).name == "Renamed by the other writer"


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user(username="clash-editor", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=EDITORS))
    return user


@pytest.fixture
def api(editor, settings):
    settings.API_THROTTLE_RATES = {"anon": None, "user": None}
    client = APIClient()
    client.force_authenticate(editor)
    return client


def patch_supplier(api, transfer):
    etag = api.get(f"/api/v1/transfers/{transfer.reference}/")["ETag"]
    return api.patch(f"/api/v1/transfers/{transfer.reference}/", {"supplier": "CN"}, format="json", HTTP_IF_MATCH=etag)


@postgresql_only
def test_an_api_write_that_deadlocks_is_run_again_and_applied_whole(clash, api):
    transfer, china = clash
    supplier, version, history = state(transfer)
    assert supplier == "KP"
    with OtherWriter(china, transfer):
        response = patch_supplier(api, transfer)
    assert response.status_code == 200, response.content
    assert response.json()["supplier"] == "CN"
    assert state(transfer) == ("CN", version + 1, history + 1)
    assert_other_writer_committed(china)


@postgresql_only
def test_an_api_write_that_deadlocks_on_its_last_attempt_is_503_and_not_applied(clash, api, monkeypatch):
    monkeypatch.setattr(conflicts, "ATTEMPTS", 1)
    transfer, china = clash
    before = state(transfer)
    with OtherWriter(china, transfer):
        response = patch_supplier(api, transfer)
    assert response.status_code == 503, response.content
    assert response["Retry-After"] == str(conflicts.RETRY_AFTER_SECONDS)
    assert response.json() == {"detail": conflict_message("40P01", 1)}
    assert state(transfer) == before
    assert_other_writer_committed(china)


@postgresql_only
def test_an_admin_save_that_deadlocks_is_run_again_and_applied_whole(clash, client, editor):
    transfer, china = clash
    supplier, version, history = state(transfer)
    client.force_login(editor)
    data = open_change_page(client, transfer)
    data["supplier"] = str(china.pk)
    with OtherWriter(china, transfer):
        response = client.post(admin_url(Transfer, "change", transfer.pk), data, follow=True)
    assert response.redirect_chain and response.redirect_chain[0][1] == 302
    assert state(transfer) == ("CN", version + 1, history + 1)
    # The rolled-back attempt's "changed successfully" is not shown a second time.
    assert len([m for m in response.context["messages"] if "changed successfully" in str(m)]) == 1
    assert_other_writer_committed(china)


@postgresql_only
def test_a_load_that_deadlocks_is_a_load_error_and_writes_nothing(clash, tmp_path, capsys):
    transfer, china = clash
    before = state(transfer)
    path = tmp_path / "clash.json"
    path.write_text(
        '[{"model": "evidence.source", "fields": {"url": "https://clash.example.org/new"}},'
        ' {"model": "transfers.transfer", "fields": {"reference": "clash", "supplier": ["CN"]}}]'
    )
    with OtherWriter(china, transfer), pytest.raises(CommandError, match="1 error"):
        call_command("import_data", str(path), verbosity=0)
    assert capsys.readouterr().err.strip() == f"(the database): {conflict_message('40P01', 1)}"
    assert state(transfer) == before
    assert not Source.objects.filter(url="https://clash.example.org/new").exists()
    assert_other_writer_committed(china)
