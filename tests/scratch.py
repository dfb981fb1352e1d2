"""A scratch database of the suite's engine that a second process (``manage.py``, gunicorn)
can reach, for the tests that kill a load or take the database away.

Migrating one takes a ``manage.py migrate`` process of tens of seconds, so the suite migrates
one template once (the session fixture ``scratch_template`` in tests/conftest.py) and every
scratch database starts as a copy of it: ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL, the
SQLite backup API on SQLite. Each test still gets a database of its own, just migrated."""

import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


class ScratchDatabase:
    """A database of the suite's engine that a second process can reach: empty, or a copy of
    ``template`` (another ``ScratchDatabase``, which no process may be using)."""

    def __init__(self, tmp_path, template=None):
        self.vendor = connection.vendor
        if self.vendor == "postgresql":
            settings = connection.settings_dict
            self.name = f"scratch_{uuid.uuid4().hex[:12]}"
            self.url = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{self.name}"
            copy = f' TEMPLATE "{template.name}"' if template else ""
            self._admin(f'CREATE DATABASE "{self.name}"{copy}')
        else:
            self.path = tmp_path / "scratch.sqlite3"
            self.url = f"sqlite:///{self.path}"
            if template:
                with sqlite3.connect(template.path) as source, sqlite3.connect(self.path) as target:
                    source.backup(target)
                source.close()
                target.close()

    def _connect(self, dbname):
        import psycopg

        settings = connection.settings_dict
        return psycopg.connect(
            dbname=dbname, user=settings["USER"], host=settings["HOST"], port=settings["PORT"], autocommit=True
        )

    def _admin(self, sql):
        with self._connect("postgres") as admin:
            admin.execute(sql)

    def env(self):
        return {**os.environ, "DATABASE_URL": self.url, "DEBUG": "true"}

    def manage(self, *args, **kwargs):
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env(), capture_output=True, text=True, **kwargs
        )

    def count(self, table):
        """Rows of ``table`` committed in the scratch database (read on a connection of its own,
        as another process would)."""
        sql = f'SELECT count(*) FROM "{table}"'
        if self.vendor == "postgresql":
            with self._connect(self.name) as probe:
                return probe.execute(sql).fetchone()[0]
        probe = sqlite3.connect(self.path)
        try:
            return probe.execute(sql).fetchone()[0]
        finally:
            probe.close()

    def writing(self, process):
        """Whether the load has begun writing inside its transaction."""
        if self.vendor == "postgresql":
            with self._connect(self.name) as probe:
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


def start_gunicorn(env, *, workers=1, ready_path="/robots.txt"):
    """gunicorn serving the project on a free loopback port with ``env``; returns the process
    and its base URL once ``ready_path`` answers."""
    import socket
    import time
    import urllib.error
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    gunicorn = Path(sys.executable).parent / "gunicorn"
    process = subprocess.Popen(
        [
            str(gunicorn),
            "sanctionsdb.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + ready_path, timeout=20).close()
            return process, base
        except urllib.error.HTTPError:
            return process, base
        except OSError:
            if time.monotonic() > deadline:
                process.terminate()
                raise AssertionError("gunicorn did not start") from None
            time.sleep(0.2)
