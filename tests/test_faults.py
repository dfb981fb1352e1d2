"""Faults a real deployment meets: a data load killed in the middle of writing leaves the
database as it was (the whole load is one transaction, and the database rolls back the
transaction of a connection that dies).

The load runs as a real ``manage.py import_data`` process against a scratch database of the
same engine as the suite's, and is killed with a signal once it is writing."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
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


class ScratchDatabase:
    """A database of the suite's engine that a second process can reach."""

    def __init__(self, tmp_path):
        self.vendor = connection.vendor
        if self.vendor == "postgresql":
            settings = connection.settings_dict
            self.name = f"scratch_{uuid.uuid4().hex[:12]}"
            self.url = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{self.name}"
            self._admin(f'CREATE DATABASE "{self.name}"')
        else:
            self.url = f"sqlite:///{tmp_path / 'scratch.sqlite3'}"
            self.path = tmp_path / "scratch.sqlite3"

    def _admin(self, sql):
        import psycopg

        settings = connection.settings_dict
        with psycopg.connect(
            dbname="postgres", user=settings["USER"], host=settings["HOST"], port=settings["PORT"], autocommit=True
        ) as admin:
            admin.execute(sql)

    def env(self):
        return {**os.environ, "DATABASE_URL": self.url, "DEBUG": "true"}

    def manage(self, *args, **kwargs):
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env(), capture_output=True, text=True, **kwargs
        )

    def count(self, table):
        result = self.manage(
            "shell",
            "--no-imports",
            "-c",
            f"from django.db import connection\n"
            f"c = connection.cursor(); c.execute('SELECT count(*) FROM {table}'); print(c.fetchone()[0])",
        )
        assert result.returncode == 0, result.stderr
        return int(result.stdout.strip().splitlines()[-1])

    def writing(self, process):
        """Whether the load has begun writing inside its transaction."""
        if self.vendor == "postgresql":
            import psycopg

            settings = connection.settings_dict
            with psycopg.connect(
                dbname=self.name, user=settings["USER"], host=settings["HOST"], port=settings["PORT"], autocommit=True
            ) as probe:
                row = probe.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid() "
                    "AND backend_xid IS NOT NULL",
                    [self.name],
                ).fetchone()
            return row[0] > 0
        # A write transaction holds SQLite's write lock: a second writer is refused at once.
        probe = sqlite3.connect(self.path, timeout=0)
        try:
            probe.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            return True
        else:
            probe.rollback()
            return False
        finally:
            probe.close()

    def drop(self):
        if self.vendor == "postgresql":
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture
def scratch(tmp_path):
    database = ScratchDatabase(tmp_path)
    try:
        migrated = database.manage("migrate", "--no-input", "-v", "0")
        assert migrated.returncode == 0, migrated.stderr
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
