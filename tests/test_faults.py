"""Faults a real deployment meets: a data load killed in the middle of writing leaves the
database as it was (the whole load is one transaction, and the database rolls back the
transaction of a connection that dies).

The load runs as a real ``manage.py import_data`` process against a scratch database of the
same engine as the suite's, and is killed with a signal once it is writing."""

import json
import signal
import subprocess
import sys
import time

import pytest

from tests.scratch import ROOT, ScratchDatabase

TRANSFERS = 20_000


def big_fixture(path):
    """Sources and transfers enough for a load of several seconds."""
    with open(path, "w", encoding="utf-8") as out:
        out.write("[\n")
        sources = [f"https://faults.example.org/{n}" for n in range(200)]
        for n, url in enumerate(sources):
            out.write(json.dumps({"model": "evidence.source", "fields": {"url": url, "title": f"S{n}"}}) + ",\n")
        for n in range(TRANSFERS):
            fields = {
                "reference": f"killed-load-{n}",
                "supplier": ["KP"],
                "recipient": ["RU"],
                "category": "munitions",
                "started_on": "2024-01-01",
                "sources": [[sources[n % len(sources)]]],
            }
            out.write(json.dumps({"model": "transfers.transfer", "fields": fields}))
            out.write(",\n" if n < TRANSFERS - 1 else "\n]\n")


@pytest.fixture
def scratch(tmp_path, scratch_template):
    """A migrated scratch database of the test's own."""
    database = ScratchDatabase(tmp_path, template=scratch_template)
    try:
        yield database
    finally:
        database.drop()


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_a_load_killed_while_writing_leaves_the_database_as_it_was(scratch, tmp_path, sig):
    fixture = tmp_path / "big.json"
    big_fixture(fixture)
    before = scratch.count("transfers_transfer"), scratch.count("evidence_source")

    process = subprocess.Popen(
        [sys.executable, "manage.py", "import_data", str(fixture), "-v", "0"],
        cwd=ROOT,
        env=scratch.env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not scratch.writing(process):
        assert process.poll() is None, "the load ended before it could be killed while writing"
        assert time.monotonic() < deadline, "the load never began writing"
        time.sleep(0.05)
    process.send_signal(sig)
    process.wait(timeout=60)

    assert process.returncode != 0
    assert (scratch.count("transfers_transfer"), scratch.count("evidence_source")) == before
    assert scratch.count("transfers_historicaltransfer") == 0
    # The same file loads completely afterwards: nothing half-written stands in its way.
    finished = scratch.manage("import_data", str(fixture), "-v", "0")
    assert finished.returncode == 0, finished.stderr
    assert scratch.count("transfers_transfer") == TRANSFERS
