"""The data version that keys every kept answer lives in the database (apps/common/dataversion.py),
so no process, no other writer and no lagging replica serves an answer older than its data.
Run against a real gunicorn with two workers, without Redis (each worker keeps its own cache),
the production settings and a scratch database of the suite's engine holding the demo data;
the writes come from other processes, as an editor's ``psql`` or a researcher's
``import_data`` would."""

import json
import secrets

import pytest

from tests.scratch import ScratchDatabase, start_gunicorn
from tests.test_database_outage import get

PANTSIR = "ru-kp-pantsir-2024"
READS = 20


def start_app(scratch, *, replica=None):
    """Two gunicorn workers, production settings, no Redis (each worker keeps its own cache)."""
    env = {
        **scratch.env(),
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "API_THROTTLE_ANON": "off",
    }
    env.pop("REDIS_URL", None)
    if replica is not None:
        env["DATABASE_REPLICA_URLS"] = replica.url
    return start_gunicorn(env, workers=2)


def statuses(url):
    return [get(url)[0] for _ in range(READS)]


def bodies(url):
    return [get(url)[2].decode() for _ in range(READS)]


def run_in(scratch, code):
    done = scratch.manage("shell", "--no-imports", "-c", code)
    assert done.returncode == 0, done.stderr
    return done.stdout


UNPUBLISH = (
    "from apps.transfers.models import Transfer\n"
    f"Transfer.objects.filter(reference={PANTSIR!r}).update(review_status='draft')\n"
)


@pytest.fixture
def demo_database(tmp_path, scratch_template):
    scratch = ScratchDatabase(tmp_path, template=scratch_template)
    loaded = scratch.manage("load_demo")
    assert loaded.returncode == 0, loaded.stderr
    yield scratch
    scratch.drop()


@pytest.fixture
def served(demo_database):
    process, base = start_app(demo_database)
    yield demo_database, base
    process.terminate()
    process.wait(timeout=30)


def test_an_unpublish_in_another_process_is_seen_by_every_worker_at_once(served):
    scratch, base = served
    assert statuses(f"{base}/transfers/{PANTSIR}/") == [200] * READS  # kept by both workers
    assert all(PANTSIR in body for body in bodies(f"{base}/countries/KP/"))
    # An update with no signal, from another process: only the database can tell the workers.
    run_in(scratch, UNPUBLISH)
    assert statuses(f"{base}/transfers/{PANTSIR}/") == [404] * READS
    assert not any(PANTSIR in body for body in bodies(f"{base}/countries/KP/"))
    assert statuses(f"{base}/api/v1/transfers/{PANTSIR}/") == [404] * READS


def test_an_import_in_another_process_is_seen_at_once(served, tmp_path):
    scratch, base = served
    url = f"{base}/transfers/?supplier=RU"
    assert not any("ru-kp-loaded-later" in body for body in bodies(url))
    data = tmp_path / "more.json"
    record = {
        "reference": "ru-kp-loaded-later",
        "supplier": ["RU"],
        "recipient": ["KP"],
        "category": "munitions",
        "started_on": "2024-08-01",
        "review_status": "published",
    }
    data.write_text(json.dumps([{"model": "transfers.transfer", "fields": record}]))
    imported = scratch.manage("import_data", str(data))
    assert imported.returncode == 0, imported.stderr
    assert all("ru-kp-loaded-later" in body for body in bodies(url))


def test_a_lagging_replica_never_pins_a_stale_page_under_the_new_version(demo_database, tmp_path):
    """The replica is a copy of the primary that applies the primary's writes only when told
    (as a delayed standby replays its WAL): its data and its version move together."""
    primary = demo_database
    (tmp_path / "replica").mkdir()
    replica = ScratchDatabase(tmp_path / "replica", template=primary)
    process, base = start_app(primary, replica=replica)
    try:
        page = f"{base}/transfers/{PANTSIR}/"
        assert statuses(page) == [200] * READS
        run_in(primary, UNPUBLISH)
        # The replica has not replayed the write: anonymous readers still see its (older) data.
        assert statuses(page) == [200] * READS
        # It replays it, version included, as streaming replication copies every row.
        version = run_in(
            primary, "from apps.common.models import DataVersion\nprint(DataVersion.objects.get().version)"
        ).strip()
        run_in(
            replica,
            UNPUBLISH + f"from apps.common.models import DataVersion\nDataVersion.objects.update(version={version})\n",
        )
        assert statuses(page) == [404] * READS
    finally:
        process.terminate()
        process.wait(timeout=30)
        replica.drop()
